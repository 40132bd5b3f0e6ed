"""What the accessibility statement and the privacy notice say when ``setup_site`` makes
them: Digg's model for the statement (lag 2018:1937, MDFFS 2019:2) and GDPR art. 13 for the
notice, filled with what this platform really does and lacks. Administrators edit the pages
afterwards (the organisation's name, contacts, their own review); an existing page is never
overwritten. The fixed parts (the supervisory authority, rights, retention periods, the links
to one's data) are in the templates and come from the code, not from here."""

from django.conf import settings
from django.utils import timezone

# The organisation running an installation is not known to the code: say so until an
# administrator writes its name (the admin asks for it on the page).
_ORG = {"sv": "[Organisationens namn]", "en": "[Name of the organisation]"}


def _shortcomings_sv() -> list:
    return [
        (
            "shortcoming",
            {
                "title": "Kurspaket från andra verktyg (SCORM, H5P)",
                "description": (
                    "Lektioner som är paket gjorda i andra verktyg visas som de är byggda. "
                    "Vi har inte granskat varje pakets tillgänglighet: det kan sakna "
                    "textalternativ, gå att använda bara med mus eller sakna namn på knappar."
                ),
                "criteria": (
                    "1.1.1 Icke-textuellt innehåll, 1.3.1 Information och relationer, "
                    "2.1.1 Tangentbord, 4.1.2 Namn, roll, värde"
                ),
                "plan": (
                    "Kursförfattarna granskar varje paket med tangentbord och skärmläsare "
                    "innan det publiceras. Tills dess får du innehållet i annan form om du "
                    "frågar oss, och paketet krävs inte för att bli godkänd."
                ),
            },
        ),
        (
            "shortcoming",
            {
                "title": "Dokument som bifogas lektioner",
                "description": (
                    "Kursförfattare kan ladda upp dokument (PDF, Word, kalkylblad). Deras "
                    "tillgänglighet beror på hur de gjordes och kontrolleras inte automatiskt."
                ),
                "criteria": "1.1.1 Icke-textuellt innehåll, 1.3.1 Information och relationer",
                "plan": (
                    "Vi går igenom bifogade dokument vid nästa granskning av varje kurs. Be "
                    "oss om en tillgänglig version av ett dokument så får du den."
                ),
            },
        ),
        (
            "shortcoming",
            {
                "title": "Intyg som PDF",
                "description": (
                    "Intygen görs som taggade PDF-filer (PDF/UA-1) men har inte kontrollerats "
                    "med ett verktyg för PDF-tillgänglighet. Verifieringssidan visar samma "
                    "uppgifter som en vanlig webbsida."
                ),
                "criteria": "1.3.1 Information och relationer, 1.3.2 Meningsfull ordningsföljd",
                "plan": "Kontroll med PAC (PDF Accessibility Checker) vid nästa granskning.",
            },
        ),
        (
            "shortcoming",
            {
                "title": "Redigeringsverktyget för kursförfattare",
                "description": (
                    "Administrationsgränssnittet (Wagtail) där kurser skrivs är utvecklat av "
                    "Wagtail-projektet, som arbetar mot WCAG 2.1 AA men har kända brister, "
                    "bland annat i textredigeraren och trädvyn."
                ),
                "criteria": "2.1.1 Tangentbord, 4.1.2 Namn, roll, värde",
                "plan": (
                    "Vi följer Wagtails rättningar och uppgraderar. Kontakta oss om du som "
                    "författare inte kan använda verktyget, så hittar vi ett annat sätt."
                ),
            },
        ),
    ]


def _shortcomings_en() -> list:
    return [
        (
            "shortcoming",
            {
                "title": "Course packages from other tools (SCORM, H5P)",
                "description": (
                    "Lessons that are packages made with other tools are shown as they were "
                    "built. We have not checked every package's accessibility: one may lack "
                    "text alternatives, work with a mouse only or have unnamed buttons."
                ),
                "criteria": (
                    "1.1.1 Non-text Content, 1.3.1 Info and Relationships, 2.1.1 Keyboard, "
                    "4.1.2 Name, Role, Value"
                ),
                "plan": (
                    "Course authors check every package with a keyboard and a screen reader "
                    "before it is published. Until then you get the content in another form if "
                    "you ask us, and no package is needed to pass a course."
                ),
            },
        ),
        (
            "shortcoming",
            {
                "title": "Documents attached to lessons",
                "description": (
                    "Course authors can upload documents (PDF, Word, spreadsheets). Their "
                    "accessibility depends on how they were made and is not checked "
                    "automatically."
                ),
                "criteria": "1.1.1 Non-text Content, 1.3.1 Info and Relationships",
                "plan": (
                    "We go through attached documents at each course's next review. Ask us for "
                    "an accessible version of a document and you will get it."
                ),
            },
        ),
        (
            "shortcoming",
            {
                "title": "Certificates as PDF",
                "description": (
                    "Certificates are tagged PDF files (PDF/UA-1) but have not been checked "
                    "with a PDF accessibility checker. The verification page shows the same "
                    "details as an ordinary web page."
                ),
                "criteria": "1.3.1 Info and Relationships, 1.3.2 Meaningful Sequence",
                "plan": "A check with PAC (PDF Accessibility Checker) at the next review.",
            },
        ),
        (
            "shortcoming",
            {
                "title": "The authoring tool for course authors",
                "description": (
                    "The administration interface (Wagtail) where courses are written is made "
                    "by the Wagtail project, which aims at WCAG 2.1 AA but has known "
                    "shortcomings, among them in the rich-text editor and the page tree."
                ),
                "criteria": "2.1.1 Keyboard, 4.1.2 Name, Role, Value",
                "plan": (
                    "We follow Wagtail's fixes and upgrade. Contact us if as an author you "
                    "cannot use the tool, and we will find another way."
                ),
            },
        ),
    ]


def _statement(language: str) -> dict:
    sv = language == "sv"
    org = _ORG[language]
    site = settings.WAGTAIL_SITE_NAME if sv else "Public Health Academy"
    today = timezone.localdate()
    return {
        "title": "Tillgänglighetsredogörelse" if sv else "Accessibility statement",
        "slug": "tillganglighetsredogorelse" if sv else "accessibility-statement",
        "organisation": org,
        "service_name": site,
        "compliance": "partial",
        "intro": (
            f"<p>{org} står bakom {site}. Vi vill att så många som möjligt ska kunna använda "
            "webbplatsen. Här beskriver vi hur den uppfyller lagen om tillgänglighet till "
            "digital offentlig service, vilka brister vi känner till och hur du rapporterar "
            "brister till oss så att vi kan åtgärda dem.</p>"
            if sv
            else f"<p>{org} is responsible for {site}. We want as many people as possible to "
            "be able to use the website. This statement describes how it meets the Swedish law "
            "on accessibility of digital public services, the shortcomings we know of, and how "
            "to report problems to us so that we can fix them.</p>"
        ),
        "contact": (
            "<p>Om du behöver innehåll från webbplatsen i en annan form, till exempel som text, "
            "uppläst eller på lätt svenska, eller om något inte fungerar för dig, använd "
            "formuläret nedan. Du kan också skriva till [e-postadress] eller ringa "
            "[telefonnummer].</p>"
            if sv
            else "<p>If you need content from the website in another form, for example as "
            "text, read aloud or in easy Swedish, or if something does not work for you, use "
            "the form below. You can also write to [e-mail address] or call [phone "
            "number].</p>"
        ),
        "response_days": 5,
        "shortcomings": _shortcomings_sv() if sv else _shortcomings_en(),
        "disproportionate_burden": (
            "<p>Vi åberopar inte undantaget för oskäligt betungande anpassning för något "
            "innehåll.</p>"
            if sv
            else "<p>We do not claim the exemption for disproportionate burden for any content.</p>"
        ),
        "out_of_scope": (
            "<p>Länkade webbplatser hos andra aktörer, till exempel Folkhälsomyndigheten och "
            "SKR, omfattas av deras egna tillgänglighetsredogörelser.</p>"
            if sv
            else "<p>Linked websites of other organisations, for example the Public Health "
            "Agency of Sweden and SKR, are covered by their own accessibility statements.</p>"
        ),
        "method": (
            "<p>Vi har gjort en självskattning (intern granskning) mot WCAG 2.1 nivå AA. "
            "Varje sidtyp kontrolleras automatiskt på svenska och engelska i plattformens "
            "tester: axe-core i webbläsaren Chromium, Nu HTML Checker för koden och "
            "kontroller av att sidorna går att läsa utan sidledsrullning i 320 pixlars "
            "bredd. Dessutom har vi prövat med tangentbord och gått igenom språkmärkning, "
            "rubriker och tidsgränser för hand.</p>"
            if sv
            else "<p>We made a self-assessment (internal review) against WCAG 2.1 level AA. "
            "Every page type is checked automatically in Swedish and English in the "
            "platform's tests: axe-core in the Chromium browser, the Nu HTML Checker for the "
            "markup, and checks that pages read without horizontal scrolling at 320 pixels "
            "wide. We have also tried them by keyboard and reviewed language marks, headings "
            "and time limits by hand.</p>"
        ),
        "assessed_on": today,
        "reviewed_on": today,
    }


def _privacy(language: str) -> dict:
    sv = language == "sv"
    org = _ORG[language]
    return {
        "title": "Personuppgifter" if sv else "Personal data",
        "slug": "personuppgifter" if sv else "personal-data",
        "controller": org,
        "intro": (
            "<p>Här beskriver vi vilka personuppgifter plattformen behandlar när du går kurser, "
            "varför, hur länge de sparas, vem som ser dem och vilka rättigheter du har enligt "
            "dataskyddsförordningen (GDPR).</p>"
            if sv
            else "<p>This page describes the personal data the platform processes when you "
            "take courses, why, for how long, who sees it, and your rights under the General "
            "Data Protection Regulation (GDPR).</p>"
        ),
        "controller_contact": (
            "<p>[Postadress], [e-postadress], [telefonnummer]</p>"
            if sv
            else "<p>[Postal address], [e-mail address], [phone number]</p>"
        ),
        "dpo_contact": (
            "<p>Dataskyddsombud: [namn eller funktion], [e-postadress]</p>"
            if sv
            else "<p>Data protection officer: [name or role], [e-mail address]</p>"
        ),
        "data_stored": (
            "<ul><li>Ditt konto: namn, e-postadress, lösenord (bara som kontrollsumma), "
            "språk, organisation och roll.</li>"
            "<li>Inloggningar: när du senast loggade in, och en sessionscookie medan du är "
            "inloggad.</li>"
            "<li>Kurser: vilka kurser du är anmäld till, vilka lektioner du har läst och när "
            "du blev klar.</li>"
            "<li>Quizsvar: dina svar och resultat, även fritextsvar på reflektionsfrågor.</li>"
            "<li>Intyg: namn, kurs, datum och resultat på intyg du har fått.</li>"
            "<li>Lärandeposter (xAPI): vad du har gjort i kurserna, under ett slumpat id "
            "(aldrig din e-postadress), skickade till de lärandearkiv (LRS) som "
            "administratörerna har kopplat till plattformen.</li>"
            "<li>Synpunkter du skickar om tillgängligheten.</li></ul>"
            if sv
            else "<ul><li>Your account: name, e-mail address, password (as a hash only), "
            "language, organisation and role.</li>"
            "<li>Sign-ins: when you last signed in, and a session cookie while you are signed "
            "in.</li>"
            "<li>Courses: the courses you are enrolled in, the lessons you have read and when "
            "you completed them.</li>"
            "<li>Quiz answers: your answers and results, free-text answers to reflection "
            "questions included.</li>"
            "<li>Certificates: name, course, date and result of the certificates you "
            "earned.</li>"
            "<li>Learning records (xAPI): what you did in the courses, under a random id "
            "(never your e-mail address), sent to the learning record stores (LRS) the "
            "administrators have connected.</li>"
            "<li>Feedback you send about accessibility.</li></ul>"
        ),
        "purposes": (
            "<p>Vi behandlar uppgifterna för att ge dig kurserna, följa dina framsteg, utfärda "
            "intyg och låta din organisation följa upp utbildningen. Den rättsliga grunden är "
            "allmänt intresse / myndighetsutövning (artikel 6.1 e) för utbildning som "
            "organisationen ger i sitt uppdrag, och avtal (artikel 6.1 b) när du själv skapar "
            "ett konto för att gå en kurs. [Ändra efter er egen bedömning.]</p>"
            if sv
            else "<p>We process the data to give you the courses, follow your progress, issue "
            "certificates and let your organisation follow up the training. The legal basis "
            "is a task in the public interest (article 6.1 e) for training the organisation "
            "gives as part of its remit, and contract (article 6.1 b) when you create an "
            "account yourself to take a course. [Change to your own assessment.]</p>"
        ),
        "recipients": (
            "<ul><li>Samordnare (chefer) ser framsteg och resultat för deltagare i de "
            "organisationer de ansvarar för, och bara där. Om andra organisationer ser de "
            "bara summor för grupper om minst fem personer.</li>"
            "<li>Lärandearkiven (LRS) som administratörerna har kopplat in får "
            "lärandeposterna, under ditt slumpade id.</li>"
            "<li>Administratörer kan se allt för att sköta plattformen.</li>"
            "<li>Den som har länken till ett intyg kan kontrollera det.</li>"
            "<li>E-post skickas via [e-postleverantör].</li></ul>"
            if sv
            else "<ul><li>Managers (coordinators) see the progress and results of learners in "
            "the organisations they are responsible for, and only there. Of other "
            "organisations they see only totals for groups of at least five people.</li>"
            "<li>The learning record stores (LRS) the administrators have connected receive "
            "the learning records, under your random id.</li>"
            "<li>Administrators can see everything, to run the platform.</li>"
            "<li>Anyone with the link to a certificate can verify it.</li>"
            "<li>E-mail is sent through [e-mail provider].</li></ul>"
        ),
        "transfers": (
            "<p>Uppgifterna lagras och behandlas inom EU/EES. Vi för inte över personuppgifter "
            "till länder utanför EU/EES. [Ändra om ett lärandearkiv eller en leverantör finns "
            "utanför EU/EES.]</p>"
            if sv
            else "<p>The data is stored and processed within the EU/EEA. We do not transfer "
            "personal data to countries outside the EU/EEA. [Change this if a learning record "
            "store or a supplier is outside the EU/EEA.]</p>"
        ),
        "reviewed_on": timezone.localdate(),
    }


PREFILL = {
    "sv": {"statement": lambda: _statement("sv"), "privacy": lambda: _privacy("sv")},
    "en": {"statement": lambda: _statement("en"), "privacy": lambda: _privacy("en")},
}
