"""Use cases that span a request and a background job, one module each.

    submissions.py  submit / resubmit / re-evaluate: store the version, audit, commit, run or
                    queue the evaluation job, and build the caller's role-filtered reply
    evaluation.py   the evaluation job body (claim the version, run the engine, store the result)
    reports.py      the downloadable report (PDF or zip) of a submission

Routes call one function here and return its result; the job runners (`aaie.jobs`) run the
job body they are handed (`evaluation.EVALUATE`) and never import this package.
"""
