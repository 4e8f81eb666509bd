# Der Desk-Raum des Agenten: Angebotskarten (Text und HTML), auf Deutsch.
# Platzhalter wie in locales/en/desk.ftl.

offer-headline = Angebot #{ $id }{ $via }: Warteschlange { $queue }, Kunde { $customer }, an { $entry } ({ $kind })
offer-open = { $headline }{ $fields }, wartet seit { $waited }. Reagiere mit ✅ zum Annehmen oder ❌ zum Ablehnen (oder !accept { $id } / !decline { $id }), noch { $left } s.
offer-closed = { $headline } — { $outcome }.
offer-title-html = <b>Angebot #{ $id }</b>{ $via }
offer-react-html = Reagiere mit ✅ zum Annehmen oder ❌ zum Ablehnen (oder <code>!accept { $id }</code> / <code>!decline { $id }</code>).
offer-closed-html = { $title }: Warteschlange { $queue }, Kunde { $customer }, an { $entry } ({ $kind }) — <b>{ $outcome }</b>.
offer-row-queue = Warteschlange
offer-row-customer = Kunde
offer-row-to = Quellnummer
offer-row-waiting = Wartet seit
offer-row-answer-within = Annehmen innerhalb
offer-seconds = { $left } s

# !language
language-current = Ich schreibe dir auf { $lang }. Sprachen hier: { $known }. Wähle eine mit !language <Kürzel>.
language-set = Ab jetzt schreibe ich dir auf Deutsch ({ $lang }).
language-unknown = Die Sprache { $tag } gibt es hier nicht; wähle eine aus { $known }.
