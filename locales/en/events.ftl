# What happened in a conversation, as a line in its room (and its history).
# Agents appear as their Matrix ids; $status is an agent state (desk.ftl);
# $fields is " (account: 123)" or empty.

event-opened = conversation opened on { $entry }, queued in { $queue }
event-customer = customer: { $body }
event-status = { $agent } is now { $status }
event-offered = offered to { $agent }
event-accepted = accepted by { $agent }
event-declined = declined by { $agent }; back in queue
event-timed-out = { $agent } did not answer (RONA); back at the head of the queue
event-withdrawn = offer to { $agent } withdrawn; back at the head of the queue
event-reply = { $agent }: { $body }
event-note = note by { $author } (not sent to the customer): { $body }
event-sent = reply { $id } sent
event-failed = reply { $id } failed: { $reason }
event-failed-code = reply { $id } failed: { $reason } (carrier error { $code })
event-delivery = reply { $id } { $status }
event-delivery-code = reply { $id } { $status } (carrier error { $code })
event-to-queue = { $from } transferred the conversation to queue { $queue }
event-to-agent = { $from } transferred the conversation to { $to }
event-conference-requested = { $by } invited { $agent } to a conference
event-conference-joined = { $agent } joined the conference
event-conference-declined = { $agent } declined the conference
event-conference-expired = { $agent } did not answer the conference invitation
event-conference-left = { $agent } left the conference
event-conference-moved = { $agent } left the conference (conversation ended or moved)
event-conference-withdrawn = conference invitation to { $agent } withdrawn
event-ended = { $agent } ended the conversation; wrap-up
event-closed = closed: { $reason }
event-opted-out = { $customer } opted out of texts from { $entry } ({ $how })
event-opted-in = { $customer } opted back in to texts from { $entry }
event-auto-replied = smsdesk ({ $kind }): { $body }
event-abandoned = closed without an agent: { $reason }
event-paused = paused: the customer went quiet; { $owner }'s seat is free
event-sticky-ended = the last agent did not take it in time; routed as usual
event-resumed = the customer wrote again; back with { $owner }
event-resumed-requeued = the customer wrote again; { $owner } has no room, back at the head of the queue
event-intake-started = the intake bot answers first
event-intake-turned = intake: turn { $turn } answered; waiting for the customer
event-intake-done = intake done: queued in { $queue }{ $fields }
event-intake-timed-out = intake: the customer did not answer in time; queued in { $queue }{ $fields }
event-intake-failed = intake failed ({ $reason }); queued in { $queue }{ $fields }

# The conversation room: its history for whoever joins, a new owner, wrap-up.
history-so-far = Conversation #{ $id } — history so far:
history-continued = Conversation #{ $id } — history, continued:
now-owns = { $agent } now owns this conversation.
wrapup-prompt = Conversation ended. Wrap up by reacting with the reason's number, or with !wrapup <number or text>: { $list }
wrapup-prompt-html = Conversation ended. Wrap up by reacting with the reason's number, or with <code>!wrapup &lt;number or text&gt;</code>:
