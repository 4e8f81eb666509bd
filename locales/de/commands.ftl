# !help, und die Wörter, die ein Agent für einen Befehl tippen kann: die
# englischen Namen gelten immer, dazu diese Aliase.

help-desk-title = Desk-Raum (diese gehen in jedem Raum):
help-conversation-title = Konversationsraum (Text geht an den Kunden):
help-anywhere-title = Überall:
help-footer = !help <Befehl> erklärt einen Befehl.
help-unknown = unbekannter Befehl !{ $name }; versuch !help
help-where-desk = Für deinen Desk-Raum gedacht; geht in jedem Raum.
help-where-conversation = Geht in einem Konversationsraum.
help-where-anywhere = Geht in jedem Raum.
help-aliases = Auch: { $aliases }

about-available = Setze dich verfügbar für neue Konversationen (beendet auch RONA)
about-idle = Mach Pause mit einem Grund, z. B. `!idle Mittag`
about-offline = Abmelden: keine Angebote mehr, bis du !available sagst (deine Konversationen bleiben deine)
about-status = Zeig deinen Status, deine Kapazität und deine Konversationen
about-accept = Nimm ein Angebot, eine Übertragung oder eine Konferenzeinladung an
about-decline = Lehne ein Angebot oder eine Konferenzeinladung ab
about-queues = Liste die Warteschlangen mit der Zahl der Wartenden
about-agents = Liste die verfügbaren Agenten, gefiltert nach Name oder Kennung
about-optouts = Liste die Kunden, die abbestellt haben (STOP), gefiltert nach Nummer
about-transfer = Übertrage diese Konversation an eine Warteschlange oder einen Agenten
about-conference = Lade einen verfügbaren Agenten in diese Konversation ein
about-endconf = Beende die Konferenz: entferne einen Agenten (Inhaber), alle (Inhaber), oder verlasse sie
about-canned = Liste die Textbausteine der Warteschlange dieser Konversation (eine Zahl als Reaktion sendet einen)
about-c = Sende den Textbaustein mit diesem Namen an den Kunden
about-note = Schreib eine interne Notiz: nie an den Kunden (eine Nachricht in einem Thread ist auch eine)
about-end = Beende diese Konversation; dann wähle einen Nachbearbeitungsgrund
about-wrapup = Wähle den Nachbearbeitungsgrund mit Nummer oder mit Text, der genau einen trifft
about-language = Zeig oder wähle die Sprache, in der ich dir schreibe: `!language de`
about-help = Zeig die Befehle oder die Hilfe zu einem: `!help transfer`

alias-available = verfügbar
alias-idle = pause
alias-offline = abmelden
alias-accept = annehmen
alias-decline = ablehnen
alias-queues = warteschlangen
alias-agents = agenten
alias-optouts = abbestellt
alias-transfer = übergeben übertragen
alias-conference = konferenz
alias-endconf = konferenzende
alias-canned = textbausteine
alias-note = notiz
alias-end = beenden
alias-wrapup = nachbearbeitung
alias-language = sprache
alias-help = hilfe

command-no-bang = Befehle beginnen mit !; versuch !help
command-empty = leerer Befehl; versuch !help
command-missing = !{ $command } braucht { $args }; versuch !help { $command }
command-invalid-value = ungültiger Wert „{ $value }“ für { $arg } von !{ $command }; versuch !help { $command }
command-unexpected = unerwartetes Argument „{ $arg }“ für !{ $command }; versuch !help { $command }
command-not-understood = !{ $command } ist so nicht verständlich; versuch !help { $command }
