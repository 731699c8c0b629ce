//! Section 1.4: scheduler flags.

use super::*;
use crate::checks::{
    Assessment::*, Check, Component, Context, Doc, Evaluate, Level::*, Outcome, Severity::*,
};

pub const CHECKS: &[Check] = &[
    Check {
        slug: "k8s-scheduler-profiling-disabled",
        ids: &[(K112, "1.4.1")],
        title: "Scheduler profiling disabled",
        level: One,
        assessment: Automated,
        severity: Low,
        component: Component::KubeScheduler,
        doc: Doc {
            what: "Checks that the pprof profiling handlers are switched off on the scheduler.",
            why: "Profiling endpoints reveal program internals.",
            evidence: "`--profiling` of kube-scheduler (default true).",
            remediation: "Set `--profiling=false`.",
            references: "",
        },
        evaluate: Evaluate::Context(scheduler_profiling),
    },
    Check {
        slug: "k8s-scheduler-bind-localhost",
        ids: &[(K112, "1.4.2")],
        title: "Scheduler listens on localhost only",
        level: One,
        assessment: Automated,
        severity: Medium,
        component: Component::KubeScheduler,
        doc: Doc {
            what: "Checks that the scheduler's secure port is not exposed beyond the node.",
            why: "Listening on all interfaces exposes the scheduler's endpoints to the network.",
            evidence: "`--bind-address` (default 0.0.0.0).",
            remediation: "Set `--bind-address=127.0.0.1`.",
            references: "",
        },
        evaluate: Evaluate::Context(scheduler_bind),
    },
];

use crate::checks::Verdict;

fn scheduler_profiling(ctx: &Context) -> Outcome {
    flag_rule(
        ctx,
        FlagRule {
            kind: SCHED,
            flag: "profiling",
            expect: Expect::Bool(false),
            default: Some("true"),
            otherwise: Verdict::Fail,
        },
    )
}

fn scheduler_bind(ctx: &Context) -> Outcome {
    flag_rule(
        ctx,
        FlagRule {
            kind: SCHED,
            flag: "bind-address",
            expect: Expect::Loopback,
            default: Some("0.0.0.0"),
            otherwise: Verdict::Fail,
        },
    )
}
