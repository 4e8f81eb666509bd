# Der Desk-Raum des Agenten: Angebotskarten (Text und HTML), auf Deutsch.
# Platzhalter wie in locales/en/desk.ftl.

offer-headline = Angebot #{ $id }{ $via }: Warteschlange { $queue }, Kunde { $customer }, an { $entry } ({ $kind })
offer-open = Angebot #{ $id }{ $via }: Warteschlange { $queue }, Kunde { $customer }, an { $entry } ({ $kind }){ $fields }, wartet seit { $waited }. Reagiere mit ✅ zum Annehmen oder ❌ zum Ablehnen (oder !accept { $id } / !decline { $id }), noch { $left } s.
offer-closed = { $headline } — { $outcome }.
offer-title-html = <b>Angebot #{ $id }</b>{ $via }
offer-react-html = Reagiere mit ✅ zum Annehmen oder ❌ zum Ablehnen (oder <code>!accept { $id }</code> / <code>!decline { $id }</code>).
offer-closed-html = { $title }: Warteschlange { $queue }, Kunde { $customer }, an { $entry } ({ $kind }) — <b>{ $outcome }</b>.
offer-row-queue = Warteschlange
offer-row-customer = Kunde
offer-row-to = Quellnummer
offer-row-waiting = Wartet seit
offer-row-answer-within = Annehmen innerhalb
offer-seconds-unit = s

# !language
language-current = Ich schreibe dir auf { $lang }. Sprachen hier: { $known }. Wähle eine mit !language <Kürzel>.
language-set = Ab jetzt schreibe ich dir auf Deutsch ({ $lang }).
language-unknown = Die Sprache { $tag } gibt es hier nicht; wähle eine aus { $known }.

# Der Desk-Raum: Begrüßung, der Status des Agenten, beendete Angebote.
desk-welcome = Hallo { $name }! Das ist dein smsdesk-Desk. Hier kommen Angebote an. Sag !available, um zu beginnen, !help für die Befehle.
desk-plain-text = Das ist dein Desk-Raum: Text geht hier nirgendwohin. Versuch !help.
nothing-to-change = Nichts zu ändern.
status-changed = Du bist jetzt { $status }.
status-available = verfügbar
status-idle = in Pause
status-idle-code = in Pause ({ $code })
status-rona = RONA
status-offline = abgemeldet
offer-timed-out = Angebot #{ $id } ist abgelaufen: du bist jetzt RONA. Sag !available, wenn du wieder da bist.
offer-no-longer-open = Angebot #{ $id } ist nicht mehr offen: { $outcome }.
outcome-accepted = angenommen
outcome-declined = abgelehnt
outcome-expired = nicht rechtzeitig angenommen
outcome-withdrawn-unavailable = zurückgezogen: du bist nicht mehr verfügbar
outcome-withdrawn-moved = zurückgezogen: die Konversation wurde beendet oder übertragen
outcome-ended = beendet
outcome-closed = zurückgezogen: die Konversation wurde geschlossen ({ $reason })

# !status, !queues, !agents
status-line = Du bist { $status } — { $load } von { $capacity ->
        [one] { $capacity } Konversation
       *[other] { $capacity } Konversationen
    } belegt.
status-not-on-roster = { $agent } steht nicht auf der Agentenliste.
status-paused-note = (pausiert: der Kunde schweigt; sie belegt keinen Platz und kommt zurück, wenn er schreibt)
queues-title = Warteschlangen (für !transfer <Warteschlange>):
queues-line = { $queue }: { $waiting } wartend
agents-title = Verfügbare Agenten (für !transfer oder !conference):
agents-none = Kein verfügbarer Agent passt.

# Warum ein Angebot an diesen Agenten geht, und die Zusammenfassung für
# wiederkehrende Kunden.
via-transfer = Übertragung von { $from }
via-conference = Konferenz: { $by } lädt dich ein
via-returning-you = wiederkehrender Kunde, zuletzt von dir betreut am { $when }
via-returning-other = wiederkehrender Kunde, zuletzt von { $agent } betreut am { $when }
returning-summary = Wiederkehrender Kunde: seine letzte Konversation #{ $id } wurde am { $when } mit { $agent } geschlossen (Nachbearbeitung: { $reason }). Verlauf: { $link }
conference-requested = Konferenz mit { $agent } angefragt.
conference-joined = { $agent } ist der Konferenz beigetreten.
time-day-and-time = { $weekday }, { $date } { $time }
weekday-1 = Montag
weekday-2 = Dienstag
weekday-3 = Mittwoch
weekday-4 = Donnerstag
weekday-5 = Freitag
weekday-6 = Samstag
weekday-7 = Sonntag
