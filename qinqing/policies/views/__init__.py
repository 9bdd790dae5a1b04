"""Pages of the policy app, by audience: public (catalogue, award notices), enterprise
(phone-first: policies that fit, invitations, applying, my cases) and officials (work
queue, the case and its actions, policy authoring)."""
