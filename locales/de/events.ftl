# Was in einer Konversation geschah, als Zeile in ihrem Raum (und Verlauf).
# Platzhalter wie in locales/en/events.ftl.

event-opened = Konversation eröffnet auf { $entry }, in Warteschlange { $queue }
event-customer = Kunde: { $body }
event-status = { $agent } ist jetzt { $status }
event-offered = angeboten an { $agent }
event-accepted = angenommen von { $agent }
event-declined = abgelehnt von { $agent }; zurück in der Warteschlange
event-timed-out = { $agent } hat nicht geantwortet (RONA); zurück an der Spitze der Warteschlange
event-withdrawn = Angebot an { $agent } zurückgezogen; zurück an der Spitze der Warteschlange
event-reply = { $agent }: { $body }
event-note = Notiz von { $author } (nicht an den Kunden gesendet): { $body }
event-sent = Antwort { $id } gesendet
event-failed = Antwort { $id } fehlgeschlagen: { $reason }
event-failed-code = Antwort { $id } fehlgeschlagen: { $reason } (Fehlercode des Anbieters { $code })
event-delivery = Antwort { $id } { $status }
event-delivery-code = Antwort { $id } { $status } (Fehlercode des Anbieters { $code })
event-to-queue = { $from } hat die Konversation an die Warteschlange { $queue } übertragen
event-to-agent = { $from } hat die Konversation an { $to } übertragen
event-conference-requested = { $by } hat { $agent } zu einer Konferenz eingeladen
event-conference-joined = { $agent } ist der Konferenz beigetreten
event-conference-declined = { $agent } hat die Konferenz abgelehnt
event-conference-expired = { $agent } hat auf die Konferenzeinladung nicht geantwortet
event-conference-left = { $agent } hat die Konferenz verlassen
event-conference-moved = { $agent } hat die Konferenz verlassen (Konversation beendet oder verschoben)
event-conference-withdrawn = Konferenzeinladung an { $agent } zurückgezogen
event-ended = { $agent } hat die Konversation beendet; Nachbearbeitung
event-closed = geschlossen: { $reason }
event-opted-out = { $customer } hat Nachrichten von { $entry } abbestellt ({ $how })
event-opted-in = { $customer } empfängt wieder Nachrichten von { $entry }
event-auto-replied = smsdesk ({ $kind }): { $body }
event-abandoned = ohne Agent geschlossen: { $reason }
event-paused = pausiert: der Kunde schweigt; der Platz von { $owner } ist frei
event-sticky-ended = der letzte Agent hat nicht rechtzeitig angenommen; normal weitergeleitet
event-resumed = der Kunde hat wieder geschrieben; zurück bei { $owner }
event-resumed-requeued = der Kunde hat wieder geschrieben; { $owner } hat keinen Platz, zurück an der Spitze der Warteschlange
event-intake-started = der Intake-Bot antwortet zuerst
event-intake-turned = Intake: Schritt { $turn } beantwortet; wartet auf den Kunden
event-intake-done = Intake fertig: in Warteschlange { $queue }{ $fields }
event-intake-timed-out = Intake: der Kunde hat nicht rechtzeitig geantwortet; in Warteschlange { $queue }{ $fields }
event-intake-failed = Intake fehlgeschlagen ({ $reason }); in Warteschlange { $queue }{ $fields }

# Der Konversationsraum: Verlauf für Hinzukommende, neuer Inhaber, Nachbearbeitung.
history-so-far = Konversation #{ $id } — bisheriger Verlauf:
history-continued = Konversation #{ $id } — Verlauf, Fortsetzung:
now-owns = { $agent } hat jetzt diese Konversation.
wrapup-prompt = Konversation beendet. Wähle den Nachbearbeitungsgrund mit seiner Nummer als Reaktion oder mit !wrapup <Nummer oder Text>: { $list }
wrapup-prompt-html = Konversation beendet. Wähle den Nachbearbeitungsgrund mit seiner Nummer als Reaktion oder mit <code>!wrapup &lt;Nummer oder Text&gt;</code>:
