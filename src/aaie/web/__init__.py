"""The AAIE web app: teachers and students in a browser, served by the API process itself.

`install(app)` adds the pages (`/` → `/app`, sign-in/out, the app shell), the static assets
(`/app/static`, every one served by AAIE: no CDN) and offline `/docs` and `/redoc`. The app is a
client of the public JSON API, authenticated by an HttpOnly session cookie with a CSRF token
(`aaie.security.sessions`); it sees exactly what that user's API calls return.
"""

from aaie.web.pages import install

__all__ = ["install"]
