# Notices in conversation and desk rooms: canned replies, notes, pictures
# and files, delivery marks, opt-outs, messages the bot could not use.

canned-list-title = Canned replies (react with a number to send one, or !c <name>):
canned-list-line = { $n }. { $name } ({ $size }): { $text }
canned-none-matches = No canned reply for this conversation matches "{ $filter }"; !canned lists them all.
canned-none = No canned replies are configured for this conversation's queue.
canned-unknown-none = No canned reply "{ $name }": none are configured for this conversation's queue.
canned-unknown = No canned reply "{ $name }" here; try one of: { $names }.
canned-sending = Canned reply { $name } to the customer: { $text }
canned-refused = Canned reply { $name } was not sent: { $why }
# How many SMS a text takes; $encoding is GSM-7 or UCS-2.
segments = { $count ->
    [one] 1 segment
   *[other] { $count } segments
} · { $encoding }

note-line = 📝 { $author } (note, not sent): { $body }
notes-so-far = Conversation #{ $id } — notes so far (never sent to the customer):
notes-continued = Conversation #{ $id } — notes, continued:
from-desk = { $name } (from the desk): { $body }
history-masked = Conversation #{ $id } — history so far, posted again with the customer's number masked (the customer now speaks as a new member of this room):

# The reactions a reply gets as the carrier reports on it.
mark-sent = ✓ sent
mark-delivered = ✅ delivered
mark-failed = ❌ failed
late-failure = Conversation #{ $id } (closed): { $what }
late-failure-with = Conversation #{ $id } with { $customer } (closed): { $what }

opted-out-hint = Your replies are refused from now on and nothing reaches the customer. You can still !end and wrap up; if they text START, replies work again.
missed = smsdesk was away and could read only the latest messages sent here meanwhile. Older ones without a ✓ reaction did not reach the customer, and older commands were not done: please send them again.
left-desk = You left your desk room, so you are offline. Say !available here when you want offers again.
edit-refused = Not sent: an SMS cannot be changed once sent, so edits do not reach the customer. Send a new message instead.
unsupported = Not sent: { $what } cannot be sent by SMS; only plain text reaches the customer.
unsupported-thread-file = a picture or file in a thread (a note is text)
unsupported-emote = an emote (/me)
unsupported-audio = audio
unsupported-video = a video
unsupported-location = a location
not-on-roster = { $sender } is not on the agent roster: nothing was sent.
undecryptable = I could not read your message sent at { $at } UTC (it is encrypted and its key did not reach me); nothing was sent to the customer. Please send it again.

# Pictures and files (MMS).
attachment-refused = Not sent: { $why }. Nothing reached the customer.
customer-media-refused = The customer's attachment { $index } cannot be shown: { $why }.
media-carrier-gone = carrier { $carrier } is no longer configured
media-not-delivered = the carrier did not deliver it after { $tries } tries ({ $why })
media-not-signed-in = the bot is not signed in to the homeserver
media-not-kept = smsdesk could not keep the picture ({ $error })
media-old-plugin = carrier { $carrier }'s plugin is built for interface 0.1.0, which cannot send pictures; rebuild it for { $version }
media-not-downloaded = the file could not be downloaded from the homeserver ({ $why })
media-bad-uri = { $uri } is not a valid mxc:// URI
media-no-such-file = the homeserver has no such file
media-homeserver-answered = the homeserver answered { $status }
media-type-not-allowed = { $kind } is not allowed: only pictures (JPEG, PNG, GIF, WebP), PDF and vCard
media-no-type = no content type
media-too-large = { $size } ({ $bytes } bytes) is over the limit of { $limit } ({ $cap } bytes)
media-undecryptable = the file could not be decrypted ({ $error })
media-unknown-conversation = conversation #{ $id } is not known
media-not-yours = conversation #{ $id } is not yours to write in now (only its owner, or a conference agent who joined)
media-short-code = { $entry } is a short code, which cannot send pictures or files (MMS)
media-over-limit = the file is over the limit of { $limit } ({ $cap } bytes)
media-unreachable = the homeserver cannot be reached ({ $error })

# !optouts
optouts-none-match = No opted-out customer matches "{ $filter }".
optouts-none = No customer has opted out.
optouts-title = Opted out ({ $total }): replies to them are refused until they text START.
optouts-line = { $customer } from { $entry } · since { $at } · { $how }
optouts-more = … and { $more } more; narrow it with !optouts <digits>
optout-how-keyword = texted { $word }
optout-how-carrier-code = the carrier refused with error { $code }
optout-how-carrier = the carrier says they opted out
optout-how-supervisor = by { $agent }

# Rooms: names, and why someone was removed from one.
desk-room-name = smsdesk desk — { $name }
kick-transferred = you transferred this conversation
kick-requeued = the customer wrote again while you had no room; the conversation went back to the queue
kick-left-conference = you left the conference
kick-closed = conversation closed: { $reason }
kick-no-role = no role in this room
kick-no-role-restored = no role in this conversation since smsdesk's storage was restored
removed-no-role = { $user } has no role in this room and was removed: only smsdesk invites here.

# After smsdesk's storage was restored from a backup (or started afresh).
adopted-desk = smsdesk's storage was restored from a backup (or started afresh) and it has taken this room up again: this is still your desk room. Your status is now { $status }.
adopted-desk-hint = Say !available here when you want offers.
adopted-supervisor = smsdesk's storage was restored from a backup (or started afresh) and it has taken this room up again: this is still your supervisor room.
adopted-conversation = smsdesk's storage was restored from a backup and it has taken this room up again: this is conversation #{ $id } ({ $phase }).
leaving-unknown-conversation = smsdesk's storage was restored from a backup made before this room (or started afresh): it does not know conversation #{ $id }, so nothing written here reaches the customer.
leaving-closed = Conversation #{ $id } is closed in smsdesk's restored storage: nothing written here reaches the customer.
leaving-not-accepted = smsdesk's storage was restored from a backup made before conversation #{ $id } was accepted: it waits to be accepted again and gets a new room then. Nothing written here reaches the customer.
leaving-duplicate = This room is no longer used: smsdesk uses another room for it.
leaving-unknown-room = smsdesk does not know this room (its storage was restored from a backup or started afresh): nothing written here reaches anyone.
leaving-bot-leaves = The bot leaves this room.
leaving-your-room = { $why } Your room with smsdesk: { $room } — { $leave }
