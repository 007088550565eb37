package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/perfloop/perfloop/activities"
	"github.com/perfloop/perfloop/engine"
)

// IDPWorkflow follows a development plan: a check-in reminder at the
// template's interval until the plan is closed or due, then a review task
// for the mentor, whose submission closes the plan.
func IDPWorkflow(ctx workflow.Context, in engine.IDPInput) error {
	closed := false
	workflow.Go(ctx, func(ctx workflow.Context) {
		workflow.GetSignalChannel(ctx, engine.SignalIDPClosed.String()).Receive(ctx, nil)
		closed = true
	})
	var review *engine.TaskRef
	reviewed := false
	err := workflow.SetUpdateHandlerWithOptions(ctx, engine.UpdateSubmit.String(),
		func(ctx workflow.Context, s engine.Submission) (engine.SubmitResult, error) {
			res, err := recordSubmission(ctx, s)
			if err != nil {
				return res, err
			}
			reviewed = true
			return res, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, s engine.Submission) error {
			if review == nil || reviewed || s.TaskID != review.TaskID {
				return temporal.NewApplicationError("this task is not open any more", "TaskClosed")
			}
			if s.By != review.AssigneeID {
				return temporal.NewApplicationError("this task is assigned to someone else", "NotAssignee")
			}
			return nil
		}})
	if err != nil {
		return err
	}
	n := 0
	for next := workflow.Now(ctx).Add(in.CheckinEvery); in.CheckinEvery > 0 && next.Before(in.Due); next = next.Add(in.CheckinEvery) {
		if err := sleepUntil(ctx, next, &closed); err != nil {
			return err
		}
		if closed {
			return nil
		}
		n++
		var open bool
		if err := workflow.ExecuteActivity(withNotify(ctx), a.IDPCheckinReminder, in.IDPID, n).Get(ctx, &open); err != nil {
			workflow.GetLogger(ctx).Warn("check-in reminder not sent", "idp", in.IDPID, "error", err)
		} else if !open {
			return nil
		}
	}
	if err := sleepUntil(ctx, in.Due, &closed); err != nil || closed {
		return err
	}
	if err := workflow.ExecuteActivity(withQuick(ctx), a.EnsureIDPReview, in.IDPID).Get(ctx, &review); err != nil {
		return err
	}
	// The review task's due date is the window (activities.idpDurations,
	// compressed with the cycle); before it was a week or one check-in
	// interval here, in real time, while the task said a week.
	until := review.Due
	if workflow.GetVersion(ctx, "idp-review-until-task-due", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		until = workflow.Now(ctx).Add(max(in.CheckinEvery, 7*24*time.Hour))
	}
	if err := sleepUntilCond(ctx, until, func() bool { return reviewed || closed }); err != nil {
		return err
	}
	if !reviewed && !closed {
		req := activities.ExpireRequest{CycleID: "", StageKey: "idp:" + in.IDPID}
		if err := workflow.ExecuteActivity(withQuick(ctx), a.ExpireTasks, req).Get(ctx, nil); err != nil {
			return err
		}
	}
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

func sleepUntil(ctx workflow.Context, when time.Time, stop *bool) error {
	return sleepUntilCond(ctx, when, func() bool { return *stop })
}

func sleepUntilCond(ctx workflow.Context, when time.Time, cond func() bool) error {
	tctx, cancel := workflow.WithCancel(ctx)
	defer cancel()
	fired := false
	at(tctx, when, func(workflow.Context) { fired = true })
	return workflow.Await(ctx, func() bool { return fired || cond() })
}
