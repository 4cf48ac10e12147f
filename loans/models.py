"""Every model of the loans app, one import per subject package, so Django sees one app label."""

from loans.applications.models import (  # noqa: F401
    ApplicationDocument,
    ApplicationEvent,
    ApplicationMessage,
    BusinessPlan,
    DocumentAccess,
    InvestmentItem,
    LoanApplication,
    ReferenceCounter,
    _document_path,
)
from loans.eligibility.models import (  # noqa: F401
    EligibilityResult,
    RecheckItem,
    RecheckRun,
)
from loans.lenders.models import (  # noqa: F401
    ApiToken,
    IdempotencyRecord,
    Intermediary,
    Referral,
    ReferralEvent,
    WebhookDelivery,
)
from loans.products.models import (  # noqa: F401
    LoanOffer,
    LoanProduct,
    MinimumWage,
    UsuryCap,
)
from loans.programmes.models import (  # noqa: F401
    Attendance,
    Cohort,
    Enrolment,
    PlanComment,
    Programme,
    ProgrammeOperator,
)
from loans.reports.models import (  # noqa: F401
    DecisionCell,
    DecisionPart,
    DecisionTotal,
    ExportJob,
    ReportCell,
    ReportPart,
    ReportTotal,
    StatisticsCell,
    SummaryCheck,
)
from loans.review.models import (  # noqa: F401
    ApplicationScore,
    ReviewNote,
    ScoringCriterion,
)
from loans.servicing.models import (  # noqa: F401
    CreditRefund,
    FollowUpVisit,
    Loan,
    LoanInstalment,
    PaymentInstructions,
    Repayment,
    ScheduleVersion,
)
