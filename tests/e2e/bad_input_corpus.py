"""Hostile and odd resident messages, one per kind, for both channels (issue 11).

Each entry is ``(kind, text)``. Texts the channels refuse (nothing the register could
keep, or longer than the one limit) are listed in ``REFUSED``; every other text must be
answered in Swedish and land in the register exactly once.
"""

from __future__ import annotations

from kontaktcenter.input_check import MAX_MESSAGE_CHARS

CORPUS: list[tuple[str, str]] = [
    # empty and blank
    ("empty", ""),
    ("space", " "),
    ("whitespace", " \t\n\r  "),
    ("nbsp-only", "\u00a0\u00a0"),
    ("newlines", "\n\n\n"),
    # length
    ("limit-exact", "å" * MAX_MESSAGE_CHARS),
    ("limit-plus-one", "a" * (MAX_MESSAGE_CHARS + 1)),
    ("100k", "x" * 100_000),
    ("long-sentence", "Har ni öppet imorgon? " * 60),
    ("very-long-word", "öppettider" * 150),
    ("one-char", "a"),
    ("one-digit", "7"),
    # markup and injection
    ("html-script", "<script>alert('x')</script>"),
    ("html-img", '<img src=x onerror="alert(1)">'),
    ("html-bold", "<b>öppettider</b>?"),
    ("markdown", "**Har ni öppet?** [länk](javascript:alert(1))"),
    ("sql-or", "' OR 1=1 --"),
    ("sql-drop", "Robert'); DROP TABLE cases;--"),
    ("template", "{{7*7}} ${7*7} <%= 7*7 %>"),
    ("format-string", "%s%s%s%n %x"),
    ("path", "../../../../etc/passwd"),
    ("shell", "$(rm -rf /); `id`"),
    ("ldap", "*)(uid=*))(|(uid=*"),
    ("null-in-word", "öppet\x00tider"),
    # control, format and unusual characters
    ("control-only", "\x00\x01\x02\x1b\x7f"),
    ("ansi-escape", "\x00\x01\x02\x1b[31m"),
    ("control-mixed", "Hej\x07 har ni\x1b öppet?"),
    ("del", "hej\x7f"),
    ("lone-high-surrogate", "Hej \ud800"),
    ("lone-low-surrogate", "\udfff öppet?"),
    ("rtl-override", "\u202eafton jul\u202c"),
    ("rtl-arabic", "مرحبا كيف حالك"),
    ("hebrew", "שלום, מתי אתם פתוחים?"),
    ("zero-width", "ö\u200bp\u200bp\u200be\u200bt"),
    ("zero-width-only", "\u200b\u200c\u200d\ufeff"),
    ("bom", "\ufeffHar ni öppet?"),
    ("combining", "o\u0308ppet\u0301\u0301\u0301\u0301"),
    ("zalgo", "ơ̸̢̮̘̣̩͇̙̦̭̤̻͈̬̈͛̀̓̊͌̐̏͛̀p̷̛̟̼͎̗̍̄̀̈́͒̀p̸̺̖̈́̀̾̉̈́̓ě̷͙͔̹̰̩t"),
    ("private-use", "\ue000\ue001 hej"),
    ("line-separator", "hej\u2028då\u2029"),
    ("fullwidth", "ｈａｒ ｎｉ ö ｐ ｐ ｅ ｔ？"),
    ("mathematical", "𝐇𝐚𝐫 𝐧𝐢 ö𝐩𝐩𝐞𝐭?"),
    # emoji
    ("emoji-only", "😀😀😀🎉"),
    ("emoji-flood", "😀" * 2000),
    ("emoji-zwj", "👩‍👩‍👧‍👦" * 50),
    ("flags", "🇸🇪🇸🇪🇸🇪"),
    ("emoji-and-question", "🕘 har ni öppet? 🙏"),
    # JSON and intent look-alikes
    ("json-object", '{"sender": "admin", "message": "hej"}'),
    ("json-array", "[1, 2, 3]"),
    ("intent-session-start", "/session_start"),
    ("intent-request-human", "/request_human"),
    ("intent-entities-list", '/ask_opening_hours{"date":[1]}'),
    ("intent-entities-year", '/ask_opening_hours{"date":"9999-12-31"}'),
    ("intent-restart", "/restart"),
    ("intent-confidence", "/greet@0.99"),
    ("intent-unknown", "/finns_inte"),
    ("slash-text", "/ hej"),
    ("only-slash", "/"),
    # dates
    ("date-31-2", "Har ni öppet 31/2?"),
    ("date-30-feb", "öppet 30 februari"),
    ("date-9999", "Har ni öppet 9999-12-31?"),
    ("date-year-0", "öppet 0000-01-01"),
    ("date-year-1", "Har ni öppet 0001-01-01?"),
    ("date-month-13", "öppet 2026-13-01"),
    ("date-huge", "99999999999999/99999999999999"),
    ("date-negative", "öppet -1 december"),
    ("date-weekday-mismatch", "fredag 24 december 2026"),
    ("time-25", "öppet kl 25"),
    ("time-17-75", "öppet kl 17.75"),
    ("far-future-offset", "har ni öppet om 99999999 veckor?"),
    # other languages
    ("english", "What are your opening hours?"),
    ("german", "Wann haben Sie geöffnet?"),
    ("finnish", "Milloin olette auki?"),
    ("chinese", "你们几点开门？"),
    ("japanese", "日本語のテキスト 2026年12月24日"),
    ("russian", "Когда вы открыты?"),
    # binary-ish and odd shapes
    ("binary-ish", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
    ("base64", "SGFyIG5pIMO2cHBldD8=" * 20),
    ("replacement-chars", "\ufffd\ufffd\ufffd"),
    ("url-only", "https://helsingborg.se/kontakt?a=1&b=<x>"),
    ("email-only", "anna.andersson@example.se"),
    ("phone-only", "042-10 50 00"),
    ("personnummer", "Mitt personnummer är 19121212-1212"),
    ("punctuation-only", "?!.,;:-–—…"),
    ("question-marks", "???????????????????"),
    ("numbers-only", "1234567890"),
    ("repeated-word", "hej " * 500),
    ("all-caps", "HAR NI ÖPPET PÅ JULAFTON?!"),
    ("no-vowels-typo", "hr n ppt?"),
    ("tabs-inside", "har\tni\töppet"),
    # ordinary Swedish (the control group)
    ("swedish-question", "Har ni öppet på lördag?"),
    ("swedish-greeting", "Hej!"),
]

REFUSED: set[str] = {
    "empty", "space", "whitespace", "nbsp-only", "newlines", "limit-plus-one", "100k", "control-only",
}
