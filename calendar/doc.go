// Package calendar owns the calendar invites Perfloop sends: a cycle's
// calibration meeting and each member's feedback interview. It renders an
// invite as it stands (its sequence, a cancellation) and announces every
// version to the people invited, in-app and on the channels meetings are
// routed to, once per person and sequence. The activities that book the
// meetings and the API that moves or cancels them both call it, so an
// invite reads the same whoever changed it; a move or cancellation of
// either kind goes through one flow (ChangeMeeting, ChangeInterview).
//
// It writes through outbox and reads store and templates; it must never
// import activities, api, cycles or workflows.
package calendar
