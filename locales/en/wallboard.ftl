# The wallboard (/supervisor) and its sign-in page. The column names are
# the supervisor room's (col-*); durations and shares are duration-* and percent.

wallboard-title = smsdesk wallboard
wallboard-signin-title = smsdesk wallboard — sign in
wallboard-signed-in-as = Signed in as { $who } · { $scope }
wallboard-operator = the operator (supervisor.token)
wallboard-all-queues = all queues
wallboard-agents-of = agents of { $queues }
wallboard-sign-out = Sign out
wallboard-today = today ({ $day }, { $zone }), SLA { $sla }
wallboard-connecting = connecting…
wallboard-live = live · updated { $time }
wallboard-signed-out = signed out; reload the page to sign in again
wallboard-disconnected = disconnected; reload the page to sign in again
wallboard-reconnecting = connection lost; reconnecting…
signin-with-matrix = Sign in with Matrix
signin-sso = Sign in with your organisation's single sign-on
signin-hint = Your password goes to your Matrix homeserver only; smsdesk gets a one-time proof of who you are.
signin-password = Matrix password
signin-homeserver = Homeserver
signin-operator-key = Operator key
signin-token = supervisor token
signin-submit = Sign in
signin-no-token-here = No operator token is set up on this server.
signin-wrong-token = That token is not right.
signin-bad-authorization = Authorization must be "Bearer <supervisor.token>".
signin-ended = Your sign-in has ended; please sign in again.
signin-too-many = Too many failed sign-ins; try again in { $secs } s.
signin-use-matrix = There is no operator token here; sign in with Matrix.
signin-matrix-off = sign-in with Matrix is off here: it needs [matrix] and [[supervisors]] in the config
signin-not-supervisor = { $user } is not a supervisor here (no [[supervisors]] entry)
wallboard-not-your-queue = you do not watch a queue "{ $queue }"; your queues: { $queues }
wallboard-no-such-queue = there is no queue "{ $queue }"; queues: { $queues }

wallboard-team-title = Agents board
col-conversations = conversations
wallboard-curve-title = { $queue } today by quarter hour ({ $zone })
wallboard-curve-label = the day's curve per 15 minutes
series-offered = offered
series-answered-in-sla = answered within SLA
series-abandoned = abandoned
series-waiting = most waiting
wallboard-conversation-title = Conversation #{ $id } (read only)
wallboard-back = Back to the wallboard
wallboard-no-conversation = no conversation #{ $id } in your queues
