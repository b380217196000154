"""Route constants and URL builders: one place for every path the app serves."""

# Pages (Reflex)
HOME = "/"
JOBS = "/jobs"
ERROR = "/error"
NOT_FOUND = "404"  # Reflex's slug for the catch-all page
FORBIDDEN = "/forbidden"
LOGIN = "/login"
LOGIN_CODE = "/login/code"
MFA_SETUP = "/mfa/setup"
RECOVERY_CODES = "/mfa/recovery-codes"
REAUTH = "/confirm"
INVITE_FORM = "/welcome"
RESET_REQUEST = "/forgot"
SIGNUP = "/signup"
RESET_NEW = "/password/new"
ACCOUNT_SECURITY = "/account/security"
ADMIN_AUDIT = "/admin/audit"
ADMIN_USERS = "/admin/users"
ADMIN_OUTBOX = "/admin/outbox"
HR_INVITATIONS = "/hr/invitations"
HR_REVIEWS = "/hr/reviews"  # human review requests of score reports
# HR's back office (issue 12); each area is one page module under portal/pages/hr/
HR_HOME = "/hr"  # the back office's overview: links to every section below
HR_JOBS = "/hr/jobs"  # jobs and their competency models; /hr/jobs/<job id> edits one
HR_QUESTIONS = "/hr/questions"  # question banks per job, CSV import and export
HR_INTERVIEWERS = "/hr/interviewers"  # interviewer profiles and photos
HR_COURSES = "/hr/courses"  # the training catalogue, CSV import
HR_TEMPLATES = "/hr/templates"  # e-mail templates per locale
HR_SCHEDULE = "/hr/schedule"  # invite to interviews, slots, moves, cancellations
HR_RULES = "/hr/rules"  # auto-advance rules: write, preview, activate
HR_DECISIONS = "/hr/decisions"  # a person confirms or overrides every rule's decision
HR_ANALYTICS = "/hr/analytics"  # funnel, distributions, agreement, adverse impact
HR_PRIVACY = "/hr/privacy"  # data-subject requests HR approves
ACCOUNT_PRIVACY = "/account/privacy"  # one's own data: export, deletion request
ADMIN_RETENTION = "/admin/retention"  # retention per data class, consent text versions
# The candidate's preparation (issue 8)
CANDIDATE_HOME = "/candidate"
CANDIDATE_INTERVIEWS = "/candidate/interviews"
CANDIDATE_CONSENT = "/candidate/consent"
CANDIDATE_DEVICE_CHECK = "/candidate/device-check"
CANDIDATE_PROCESS = "/candidate/how-it-works"
CANDIDATE_INTERVIEWERS = "/candidate/interviewers"
CANDIDATE_PRACTICE = "/candidate/practice"
CANDIDATE_AVAILABILITY = "/candidate/availability"
# The interview room (issue 9): /candidate/interview/<interview id>; the join link points here
INTERVIEW_ROOM = "/candidate/interview"
# The score report of an interview (issue 10): /candidate/report/<interview id>
CANDIDATE_REPORT = "/candidate/report"
# The development plan (issue 10): recommended courses, enrolments, goals, the score timeline
DEVELOPMENT = "/development"
# Reviewing interviews (interviewers, HR): the list, and /interviewer/interview/<interview id>
REVIEW_HOME = "/interviewer"
REVIEW_INTERVIEW = "/interviewer/interview"

# Cookies shared by the HTTP routes and the states
SESSION_COOKIE = "tp_session"  # HttpOnly; set by portal/auth_routes.py
LOCALE_COOKIE = "tp_locale"  # the language switch's choice
LOGIN_EMAIL_COOKIE = "tp_login_email"  # the address of a refused sign-in, to fill the form again

# Links in e-mails (HTTP): /invite/<token>, /reset/<token>
INVITE = "/invite"
RESET = "/reset"

# HTTP endpoints (portal/auth_routes.py)
AUTH_LOGIN = "/auth/login"
AUTH_CODE = "/auth/code"
AUTH_LOGOUT = "/auth/logout"
AUTH_MFA_FRAME = "/auth/mfa/secret"
AUTH_MFA_CONFIRM = "/auth/mfa/confirm"
AUTH_RECOVERY_FRAME = "/auth/mfa/recovery"
AUTH_FRAME_SCRIPT = "/auth/secret-frame.js"  # the buttons of the two frames above
AUTH_RECOVERY_REGENERATE = "/auth/recovery-codes/new"
AUTH_REAUTH = "/auth/reauth"
AUTH_PASSWORD = "/auth/password"
AUTH_INVITE = "/auth/invite"
AUTH_RESET_REQUEST = "/auth/reset-request"
AUTH_SIGNUP = "/auth/signup"
AUTH_RESET = "/auth/reset"
AUDIT_CSV = "/auth/audit.csv"
AUTH_SSO = "/auth/sso"
AUTH_SSO_START = "/auth/sso/start"
AUTH_SSO_CALLBACK = "/auth/sso/callback"

# The device check's network measurements (signed-in candidates only, capped and rate-limited)
NET_PING = "/net/ping"
NET_DOWNLOAD = "/net/download"
NET_UPLOAD = "/net/upload"
DEVICE_CHECK_SCRIPT = "/net/device-check.js"  # the check itself runs in the browser

# The interview room's uploads of recorded answers (portal/recording_routes.py): the
# interview's own candidate only, capped, rate-limited; nothing here serves media
REC_CHUNK = "/rec/chunk"
REC_RESUME = "/rec/resume"
REC_FINISH = "/rec/finish"
REC_RETAKE = "/rec/retake"
REPORT_PDF = "/reports/pdf"  # ?interview=<id>: the score report as a PDF (portal/report_routes.py)
# Interviewer photos HR uploads (portal/hr_routes.py): a multipart POST from /hr/interviewers,
# and the cleaned JPEGs served to signed-in users
HR_INTERVIEWER_PHOTO_UPLOAD = "/hr-api/interviewer-photo"
INTERVIEWER_PHOTO = "/media/interviewer"
PRIVACY_EXPORT = "/privacy/export"  # one's own data as a ZIP (portal/privacy_routes.py)
REC_MEDIA = "/rec/media"  # a submitted answer's playback: reviewers after an access check, range requests


def interview_room(interview_id: int) -> str:
    return f"{INTERVIEW_ROOM}/{int(interview_id)}"


def candidate_report(interview_id: int) -> str:
    return f"{CANDIDATE_REPORT}/{int(interview_id)}"


def interview_review(interview_id: int) -> str:
    return f"{REVIEW_INTERVIEW}/{int(interview_id)}"


def safe_next(value: str | None, default: str = HOME) -> str:
    """Only a local path may be a redirect target (no open redirect)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value[:300]
    return default
