# Der Supervisor-Raum: Name, Begrüßung, Hilfe und Antworten.

supervisor-room-name = smsdesk Supervisor
supervisor-welcome = Hallo! Dies ist dein smsdesk-Supervisor-Raum für { $watched }. { $help }
supervisor-watches-all = alle Warteschlangen
supervisor-watches = die Warteschlangen { $queues }
supervisor-help-title = Supervisor-Befehle:
supervisor-about-stats = Die heutigen Zahlen je Warteschlange: wartend, längste Wartezeit, Agenten, angenommen, abgebrochen, Servicelevel, ASA, AHT
supervisor-about-agents = Alle Agenten deiner Warteschlangen, mit Status und Zeit im Status
supervisor-about-history = Verlauf einer Konversation mit jeder Statusänderung: nach Nummer, oder die letzten eines Kunden
supervisor-about-monitor = Den Raum einer Konversation betreten und mitlesen (was du dort schreibst, erreicht den Kunden nie)
supervisor-about-canned = Die Textbausteine, die Agenten in deinen Warteschlangen senden können, wie konfiguriert (Platzhalter ungefüllt)
supervisor-about-help = Die Befehle zeigen
supervisor-unknown-command = unbekannter Befehl !{ $name } im Supervisor-Raum; versuch !help
supervisor-not-watched-queue = Du betreust keine Warteschlange „{ $queue }“; deine Warteschlangen: { $queues }
supervisor-not-watched-conversation = Konversation #{ $id } ist in der Warteschlange { $queue }, die du nicht betreust.
supervisor-no-such-history = Keine Konversation „{ $target }“ in deinen Warteschlangen ({ $queues }). Gib eine Konversationsnummer oder die Nummer eines Kunden an, etwa +15557770001.
supervisor-no-conversation = Es gibt keine Konversation #{ $id }.
supervisor-no-room = Konversation #{ $id } hat keinen Raum (sie ist { $phase }): Ein Raum besteht von der ersten Annahme bis zum Schließen.
supervisor-invited = Du bist in Konversation #{ $id } eingeladen ({ $customer }, Warteschlange { $queue }). Was du dort schreibst, erreicht den Kunden nie.
supervisor-not-relayed = Du liest diese Konversation als Supervisor mit: Was du hier schreibst, bleibt in diesem Raum und erreicht den Kunden nie.
supervisor-not-your-queue-note = Nicht notiert: Du betreust die Warteschlange dieser Konversation nicht.

stats-title = Warteschlangen — heute ({ $day }, { $zone })
stats-title-empty = Warteschlangen
col-queue = Warteschlange
col-waiting = wartend
col-longest = am längsten
col-longest-wait = längste Wartezeit
col-agents = Agenten
col-accepted = angenommen
col-abandoned = abgebrochen
col-service-level = Servicelevel
col-asa = ASA
col-aht = AHT
stats-service-level = { $level } (≤ { $sla })
agents-count = { $count } { $state }
agents-none-in-state = keine
state-available = verfügbar
state-busy = beschäftigt
state-idle = in Pause
state-rona = RONA
state-offline = abgemeldet

agents-table-title = Agenten
col-name = Name
col-agent = Agent
col-state = Status
col-for = seit
col-load = Last
col-queues = Warteschlangen
supervisor-agents-none-match = Kein Agent deiner Warteschlangen passt zu „{ $filter }“.
supervisor-agents-none = Deine Warteschlangen haben keine Agenten auf der Agentenliste.

history-header = Konversation #{ $id } — { $customer } an { $entry } ({ $carrier }), Warteschlange { $queue }, eröffnet { $day }, jetzt { $phase }:
history-header-continued = Konversation #{ $id }, Fortsetzung:

canned-every-queue = jede Warteschlange
canned-none-for-supervisor = Für deine Warteschlangen sind keine Textbausteine konfiguriert.
canned-supervisor-title = Textbausteine (Agenten senden sie mit !c <Name>):

duration-seconds = { $s } s
duration-minutes = { $m } min { $s } s
duration-hours = { $h } h { $m } min
percent = { $p } %
