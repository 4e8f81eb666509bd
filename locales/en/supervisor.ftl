# The supervisor room: its name, welcome, help and answers.
# $id a conversation number, $queue/$queues queue names, $phase a state (phase-*).

supervisor-room-name = smsdesk supervisor
supervisor-welcome = Hello! This is your smsdesk supervisor room, for { $watched }. { $help }
supervisor-watches-all = all queues
supervisor-watches = queues { $queues }
supervisor-help-title = Supervisor commands:
supervisor-about-stats = Today's figures per queue: waiting, longest wait, agents, accepted, abandoned, service level, ASA, AHT
supervisor-about-agents = Every agent of your queues, with state and time in state
supervisor-about-history = A conversation's transcript and every state change: by number, or a customer's latest
supervisor-about-monitor = Join a conversation's room to watch it (what you write there never reaches the customer)
supervisor-about-canned = The canned replies agents can send in your queues, as configured (placeholders unfilled)
supervisor-about-help = Show the commands
supervisor-unknown-command = unknown command !{ $name } in a supervisor room; try !help
supervisor-not-watched-queue = You do not watch a queue "{ $queue }"; your queues: { $queues }
supervisor-not-watched-conversation = Conversation #{ $id } is in queue { $queue }, which you do not watch.
supervisor-no-such-history = No conversation "{ $target }" in your queues ({ $queues }). Give a conversation number or a customer's number like +15557770001.
supervisor-no-conversation = There is no conversation #{ $id }.
supervisor-no-room = Conversation #{ $id } has no room (it is { $phase }): a room exists from the first accept until it is closed.
supervisor-invited = Invited you to conversation #{ $id } ({ $customer }, queue { $queue }). What you write there never reaches the customer.
supervisor-not-relayed = You are monitoring this conversation as a supervisor: what you write here stays in this room and never reaches the customer.
supervisor-not-your-queue-note = Not noted: you do not supervise this conversation's queue.

# !stats: a table per queue. $day a date, $zone a time zone.
stats-title = Queue figures — today ({ $day }, { $zone })
stats-title-empty = Queue figures
col-queue = queue
col-waiting = waiting
col-longest = longest
col-longest-wait = longest wait
col-agents = agents
col-accepted = accepted
col-abandoned = abandoned
col-service-level = service level
col-asa = ASA
col-aht = AHT
stats-service-level = { $level } (≤{ $sla })
agents-count = { $count } { $state }
agents-none-in-state = none
# The agent states of figures (an available agent with work in hand is busy).
state-available = available
state-busy = busy
state-idle = idle
state-rona = RONA
state-offline = offline

# !agents
agents-table-title = Agents
col-name = name
col-agent = agent
col-state = state
col-for = for
col-load = load
col-queues = queues
supervisor-agents-none-match = No agent of your queues matches "{ $filter }".
supervisor-agents-none = Your queues have no agents on the roster.

# !history
history-header = Conversation #{ $id } — { $customer } on { $entry } ({ $carrier }), queue { $queue }, opened { $day }, now { $phase }:
history-header-continued = Conversation #{ $id }, continued:

# !canned
canned-every-queue = every queue
canned-none-for-supervisor = No canned replies are configured for your queues.
canned-supervisor-title = Canned replies (agents send them with !c <name>):

# Durations and shares, at a glance: 45s, 3m 20s, 2h 05m, 33%.
duration-seconds = { $s }s
duration-minutes = { $m }m { $s }s
duration-hours = { $h }h { $m }m
percent = { $p }%
