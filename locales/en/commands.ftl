# !help, and the words an agent may type for a command. A catalog may add
# aliases (alias-<command> = word word…): the English names always work.

help-desk-title = Desk room (these work in any room):
help-conversation-title = Conversation room (plain text goes to the customer):
help-anywhere-title = Anywhere:
help-footer = !help <command> explains one command.
help-unknown = unknown command !{ $name }; try !help
help-where-desk = Meant for your desk room; works in any room.
help-where-conversation = Works in a conversation room.
help-where-anywhere = Works in any room.
help-aliases = Also: { $aliases }

about-available = Set yourself available for new conversations (also leaves RONA)
about-idle = Go idle with a reason code, e.g. `!idle Lunch`
about-offline = Sign off: no more offers until you say !available (conversations you hold stay yours)
about-status = Show your state, capacity and conversations
about-accept = Accept an offer, a transfer or a conference invitation
about-decline = Decline an offer or a conference invitation
about-queues = List the queues with how many conversations wait in each
about-agents = List available agents, optionally filtered by name or id
about-optouts = List customers who opted out (texted STOP), optionally filtered by number
about-transfer = Transfer this conversation to a queue or to an agent
about-conference = Invite an available agent into this conversation
about-endconf = End the conference: remove one agent (owner), everyone (owner), or leave
about-canned = List the canned replies for this conversation's queue (react with a number to send one)
about-c = Send the canned reply with this name to the customer
about-note = Write an internal note: never sent to the customer (a message in a thread is one too)
about-end = End this conversation; then pick a wrap-up reason
about-wrapup = Pick the wrap-up reason by number or by text matching exactly one
about-language = Show or choose the language I write to you in: `!language de`
about-help = Show the commands, or help for one: `!help transfer`

# A command that could not be read. $command its name, $args/$arg the
# argument (e.g. <target>), $value what was typed.
command-no-bang = commands start with !; try !help
command-empty = empty command; try !help
command-missing = !{ $command } needs { $args }; try !help { $command }
command-invalid-value = invalid value '{ $value }' for { $arg } of !{ $command }; try !help { $command }
command-unexpected = unexpected argument '{ $arg }' for !{ $command }; try !help { $command }
command-not-understood = !{ $command } was not understood; try !help { $command }
