# Hinweise in Konversations- und Desk-Räumen.

canned-list-title = Textbausteine (reagiere mit einer Zahl, um einen zu senden, oder !c <Name>):
canned-list-line = { $n }. { $name } ({ $size }): { $text }
canned-none-matches = Kein Textbaustein dieser Konversation passt zu „{ $filter }“; !canned zeigt alle.
canned-none = Für die Warteschlange dieser Konversation sind keine Textbausteine konfiguriert.
canned-unknown-none = Kein Textbaustein „{ $name }“: Für die Warteschlange dieser Konversation sind keine konfiguriert.
canned-unknown = Kein Textbaustein „{ $name }“ hier; versuch einen von: { $names }.
canned-sending = Textbaustein { $name } an den Kunden: { $text }
canned-refused = Textbaustein { $name } wurde nicht gesendet: { $why }
segments = { $count ->
    [one] 1 Segment
   *[other] { $count } Segmente
} · { $encoding }

note-line = 📝 { $author } (Notiz, nicht gesendet): { $body }
notes-so-far = Konversation #{ $id } — bisherige Notizen (nie an den Kunden gesendet):
notes-continued = Konversation #{ $id } — Notizen, Fortsetzung:
from-desk = { $name } (vom Desk): { $body }
history-masked = Konversation #{ $id } — bisheriger Verlauf, erneut gepostet mit maskierter Kundennummer (der Kunde spricht jetzt als neues Mitglied dieses Raums):

mark-sent = ✓ gesendet
mark-delivered = ✅ zugestellt
mark-failed = ❌ fehlgeschlagen
late-failure = Konversation #{ $id } (geschlossen): { $what }
late-failure-with = Konversation #{ $id } mit { $customer } (geschlossen): { $what }

opted-out-hint = Deine Antworten werden ab jetzt abgelehnt, nichts erreicht den Kunden. Du kannst die Konversation weiter mit !end beenden und nachbearbeiten; schreibt der Kunde START, gehen Antworten wieder.
missed = smsdesk war weg und konnte nur die neuesten Nachrichten von inzwischen lesen. Ältere ohne ✓-Reaktion haben den Kunden nicht erreicht, ältere Befehle wurden nicht ausgeführt: Bitte sende sie noch einmal.
left-desk = Du hast deinen Desk-Raum verlassen und bist jetzt abgemeldet. Sag hier !available, wenn du wieder Angebote möchtest.
edit-refused = Nicht gesendet: Eine SMS lässt sich nach dem Senden nicht ändern, Bearbeitungen erreichen den Kunden nicht. Sende stattdessen eine neue Nachricht.
unsupported = Nicht gesendet: { $what } lässt sich nicht per SMS senden; nur reiner Text erreicht den Kunden.
unsupported-thread-file = ein Bild oder eine Datei in einem Thread (eine Notiz ist Text)
unsupported-emote = ein Emote (/me)
unsupported-audio = Audio
unsupported-video = ein Video
unsupported-location = ein Standort
not-on-roster = { $sender } steht nicht auf der Agentenliste: Nichts wurde gesendet.
undecryptable = Ich konnte deine Nachricht von { $at } UTC nicht lesen (sie ist verschlüsselt und ihr Schlüssel hat mich nicht erreicht); nichts wurde an den Kunden gesendet. Bitte sende sie noch einmal.

attachment-refused = Nicht gesendet: { $why }. Nichts hat den Kunden erreicht.
customer-media-refused = Anhang { $index } des Kunden kann nicht gezeigt werden: { $why }.
media-carrier-gone = der Carrier { $carrier } ist nicht mehr konfiguriert
media-not-delivered = der Carrier hat ihn nach { $tries } Versuchen nicht geliefert ({ $why })
media-not-signed-in = der Bot ist nicht beim Homeserver angemeldet
media-not-kept = smsdesk konnte das Bild nicht aufbewahren ({ $error })
media-old-plugin = das Plugin des Carriers { $carrier } ist für Schnittstelle 0.1.0 gebaut, die keine Bilder senden kann; baue es für { $version } neu
media-not-downloaded = die Datei ließ sich nicht vom Homeserver laden ({ $why })
media-bad-uri = { $uri } ist keine gültige mxc://-URI
media-no-such-file = der Homeserver hat keine solche Datei
media-homeserver-answered = der Homeserver antwortete { $status }
media-type-not-allowed = { $kind } ist nicht erlaubt: nur Bilder (JPEG, PNG, GIF, WebP), PDF und vCard
media-no-type = kein Inhaltstyp
media-too-large = { $size } ({ $bytes } Bytes) ist über der Grenze von { $limit } ({ $cap } Bytes)
media-undecryptable = die Datei ließ sich nicht entschlüsseln ({ $error })
media-unknown-conversation = Konversation #{ $id } ist unbekannt
media-not-yours = in Konversation #{ $id } darfst du gerade nicht schreiben (nur der Besitzer oder ein beigetretener Konferenz-Agent)
media-short-code = { $entry } ist eine Kurzwahl, die keine Bilder oder Dateien senden kann (MMS)
media-over-limit = die Datei ist über der Grenze von { $limit } ({ $cap } Bytes)
media-unreachable = der Homeserver ist nicht erreichbar ({ $error })

optouts-none-match = Kein abgemeldeter Kunde passt zu „{ $filter }“.
optouts-none = Kein Kunde hat sich abgemeldet.
optouts-title = Abgemeldet ({ $total }): Antworten an sie werden abgelehnt, bis sie START schreiben.
optouts-line = { $customer } von { $entry } · seit { $at } · { $how }
optouts-more = … und { $more } weitere; grenze mit !optouts <Ziffern> ein
optout-how-keyword = hat { $word } geschrieben
optout-how-carrier-code = der Carrier lehnte mit Fehler { $code } ab
optout-how-carrier = laut Carrier abgemeldet
optout-how-supervisor = durch { $agent }

desk-room-name = smsdesk-Desk — { $name }
kick-transferred = du hast diese Konversation übergeben
kick-requeued = der Kunde schrieb erneut, während du keinen Raum hattest; die Konversation ging zurück in die Warteschlange
kick-left-conference = du hast die Konferenz verlassen
kick-closed = Konversation geschlossen: { $reason }
kick-no-role = keine Rolle in diesem Raum
kick-no-role-restored = keine Rolle in dieser Konversation, seit smsdesks Speicher wiederhergestellt wurde
removed-no-role = { $user } hat keine Rolle in diesem Raum und wurde entfernt: Nur smsdesk lädt hierher ein.

adopted-desk = smsdesks Speicher wurde aus einer Sicherung wiederhergestellt (oder neu begonnen), und smsdesk hat diesen Raum wieder übernommen: Dies ist weiter dein Desk-Raum. Dein Status ist jetzt { $status }.
adopted-desk-hint = Sag hier !available, wenn du Angebote möchtest.
adopted-supervisor = smsdesks Speicher wurde aus einer Sicherung wiederhergestellt (oder neu begonnen), und smsdesk hat diesen Raum wieder übernommen: Dies ist weiter dein Supervisor-Raum.
adopted-conversation = smsdesks Speicher wurde aus einer Sicherung wiederhergestellt, und smsdesk hat diesen Raum wieder übernommen: Dies ist Konversation #{ $id } ({ $phase }).
leaving-unknown-conversation = smsdesks Speicher wurde aus einer Sicherung von vor diesem Raum wiederhergestellt (oder neu begonnen): Er kennt Konversation #{ $id } nicht, nichts, was hier geschrieben wird, erreicht den Kunden.
leaving-closed = Konversation #{ $id } ist in smsdesks wiederhergestelltem Speicher geschlossen: Nichts, was hier geschrieben wird, erreicht den Kunden.
leaving-not-accepted = smsdesks Speicher wurde aus einer Sicherung von vor der Annahme von Konversation #{ $id } wiederhergestellt: Sie wartet darauf, erneut angenommen zu werden, und bekommt dann einen neuen Raum. Nichts, was hier geschrieben wird, erreicht den Kunden.
leaving-duplicate = Dieser Raum wird nicht mehr genutzt: smsdesk nutzt einen anderen Raum dafür.
leaving-unknown-room = smsdesk kennt diesen Raum nicht (sein Speicher wurde aus einer Sicherung wiederhergestellt oder neu begonnen): Nichts, was hier geschrieben wird, erreicht jemanden.
leaving-bot-leaves = Der Bot verlässt diesen Raum.
leaving-your-room = { $why } Dein Raum mit smsdesk: { $room } — { $leave }
