# The agent's desk room: offer cards (plain text and HTML), in English.
# Placeables: $id conversation number, $via why it comes to this agent
# (" (transfer from …)" or empty), $queue, $customer, $entry, $kind (long
# code, short code, toll-free), $fields ("; account: 123" or empty),
# $waited ("1:05"), $left (seconds to answer), $outcome, $headline, $title.

offer-headline = Offer #{ $id }{ $via }: queue { $queue }, customer { $customer }, to { $entry } ({ $kind })
offer-open = Offer #{ $id }{ $via }: queue { $queue }, customer { $customer }, to { $entry } ({ $kind }){ $fields }, waiting { $waited }. React ✅ to accept or ❌ to decline (or !accept { $id } / !decline { $id }) within { $left } s.
offer-closed = { $headline } — { $outcome }.
offer-title-html = <b>Offer #{ $id }</b>{ $via }
offer-react-html = React ✅ to accept or ❌ to decline (or <code>!accept { $id }</code> / <code>!decline { $id }</code>).
offer-closed-html = { $title }: queue { $queue }, customer { $customer }, to { $entry } ({ $kind }) — <b>{ $outcome }</b>.
offer-row-queue = Queue
offer-row-customer = Customer
offer-row-to = To
offer-row-waiting = Waiting
offer-row-answer-within = Answer within
offer-seconds-unit = s

# !language
language-current = I write to you in { $lang }. Languages here: { $known }. Choose one with !language <tag>.
language-set = From now on I write to you in { $lang }.
language-unknown = There is no language { $tag } here; choose one of { $known }.

# The desk room: welcome, the agent's state, offers that ended.
desk-welcome = Hello { $name }! This is your smsdesk desk. Offers arrive here. Say !available to start, !help for commands.
desk-plain-text = This is your desk room: plain text goes nowhere. Try !help.
nothing-to-change = Nothing to change.
status-changed = You are now { $status }.
status-available = available
status-idle = idle
status-idle-code = idle ({ $code })
status-rona = RONA
status-offline = offline
offer-timed-out = Offer #{ $id } timed out: you are now RONA. Say !available when you are back.
offer-no-longer-open = Offer #{ $id } is no longer open: { $outcome }.
outcome-accepted = accepted
outcome-declined = declined
outcome-expired = not answered in time
outcome-withdrawn-unavailable = withdrawn: you are no longer available
outcome-withdrawn-moved = withdrawn: the conversation was ended or transferred
outcome-ended = ended
outcome-closed = withdrawn: the conversation closed ({ $reason })

# !status, !queues, !agents
status-line = You are { $status } — { $load } of { $capacity } conversation(s) in use.
status-not-on-roster = { $agent } is not on the agent roster.
status-paused-note = (paused: the customer went quiet; it takes no seat and comes back when they write)
queues-title = Queues (use with !transfer <queue>):
queues-line = { $queue }: { $waiting } waiting
agents-title = Available agents (use with !transfer or !conference):
agents-none = No available agent matches.

# Why an offer comes to this agent (after the offer's number), and the
# returning customer's summary. $when is a day and time, as time-* says.
via-transfer = transfer from { $from }
via-conference = conference: { $by } invites you
via-returning-you = returning customer, last handled by you on { $when }
via-returning-other = returning customer, last handled by { $agent } on { $when }
returning-summary = Returning customer: their last conversation #{ $id } closed on { $when } with { $agent } (wrap-up: { $reason }). Its transcript: { $link }
conference-requested = Conference requested with { $agent }.
conference-joined = { $agent } joined the conference.
# A day and time: $weekday (weekday-*), $date (2026-12-05), $time (24-hour 14:05).
time-day-and-time = { $weekday } { $date } { $time }
weekday-1 = Mon
weekday-2 = Tue
weekday-3 = Wed
weekday-4 = Thu
weekday-5 = Fri
weekday-6 = Sat
weekday-7 = Sun
