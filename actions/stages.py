"""Where the intake is: the values of the featurized slot `intake_stage`, from which the
rules in data/rules/ chain the next action."""

LISTENING = "listening"
SUGGEST_IPT = "suggest_ipt"
IPT_SUGGESTED = "ipt_suggested"  # asked "have you heard of IPT?"
IPT_OFFERED = "ipt_offered"  # asked "questions, or get started?"
START_SCHEDULING = "start_scheduling"
CONFIRMING = "confirming"
SUBMIT = "submit"
DECLINED = "declined"
DONE = "done"
NO_CONSENT = "no_consent"  # the person declined a record: questions answered, nothing kept
CONSENT_TO_STORE = "consent_to_store"  # asked for consent just before storing
SCREENING_OFFERED = "screening_offered"  # asked whether to go through the PHQ-9 / GAD-7
SCREENING = "screening"  # the questionnaire form runs
SCREENING_RISK = "screening_risk"  # PHQ-9 item 9 was positive: the crisis response follows
ASK_CONTACT = "ask_contact"  # asked whether they'll leave contact details
COLLECT_CONTACT = "collect_contact"  # the contact form runs
CONFIRMING_CONTACT = "confirming_contact"  # read back the schedule and contact details
