using Bogus;

namespace AuditPortal.Core.DemoData;

/// <summary>
/// Simulates months of marketplace and portal activity in time order. Every event comes out of the same pure
/// decision a command service would call, against state folded from the events generated so far, so the
/// history is valid by construction; a step the rules refuse simply does not happen.
/// </summary>
internal sealed class DemoGenerator
{
    private enum JobFate { Completed, CancelledAfterLaunch, Launched, CancelledBeforeLaunch, OpenWithAccepted, OpenWithApplications }

    private const string Billing = "system:billing";
    private const string Bootstrap = "system:bootstrap";
    private const double EventsPerJobEstimate = 9;
    private static readonly TimeSpan SamJoins = TimeSpan.FromDays(10);

    private readonly DemoOptions _o;
    private readonly Random _rng;
    private readonly Faker _faker;
    private readonly WalletLimits _limits = WalletLimits.Default;
    private readonly DateTimeOffset _start;
    private readonly DateTimeOffset _end;

    private readonly Dictionary<Guid, Wallet> _wallets = [];
    private readonly List<Guid> _openWallets = [];
    private readonly Dictionary<Guid, Job> _jobs = [];
    private readonly Dictionary<Guid, AccessControlList> _acls = [];
    private readonly Dictionary<Guid, ApprovalRequest> _requests = [];
    private readonly Dictionary<Guid, long> _versions = [];
    private readonly List<string> _owners = [];
    private readonly List<string> _freelancers = [];

    private readonly PriorityQueue<Func<DateTimeOffset, IReadOnlyList<DemoEvent>?>, (long Ticks, long Seq)> _agenda = new();
    private long _seq;
    private int _emitted;
    private int _structuralEmitted;
    private int _structuralEstimate;
    private DomainError? _lastError;
    private int _ticket = 4100;
    private int _invoice = 1;

    public DemoGenerator(DemoOptions options)
    {
        if (options.Events < 0 || options.Wallets < 0 || options.Jobs < 0)
            throw new ArgumentOutOfRangeException(nameof(options), "Counts must not be negative.");
        if (options.History <= TimeSpan.FromDays(14))
            throw new ArgumentOutOfRangeException(nameof(options), "The history must cover more than two weeks.");
        _o = options;
        _rng = new Random(options.Seed);
        _faker = new Faker("en") { Random = new Randomizer(options.Seed) };
        _end = options.End.ToUniversalTime();
        _start = _end - options.History;
        _structuralEstimate = (int)((options.IncludePortalAcl ? 37 : 0) + options.Wallets * 2.9 + options.Jobs * EventsPerJobEstimate);
    }

    public IEnumerable<DemoEvent> Run()
    {
        CreatePeople();
        if (_o.IncludePortalAcl) SchedulePortalAcl();
        ScheduleWallets();
        ScheduleJobs();
        ScheduleApprovals();
        Schedule(_start + TimeSpan.FromDays(3), Filler);

        while (_emitted < _o.Events && _agenda.TryDequeue(out var action, out var key))
        {
            // Whole microseconds: PostgreSQL's timestamp precision, so the event body and Marten's column agree exactly.
            var events = action(new DateTimeOffset(key.Ticks - key.Ticks % 10, TimeSpan.Zero));
            if (events is null) continue;
            foreach (var e in events) yield return e;
        }
    }

    // People

    private void CreatePeople()
    {
        var taken = new HashSet<string>(DemoUsers.All.Select(u => u.Name), StringComparer.OrdinalIgnoreCase);
        string NewUser()
        {
            var name = _faker.Internet.UserName(_faker.Name.FirstName(), _faker.Name.LastName()).ToLowerInvariant();
            var unique = name;
            for (var n = 2; !taken.Add(unique); n++) unique = $"{name}{n}";
            return unique;
        }
        for (var i = 0; i < _o.Wallets; i++) _owners.Add(NewUser());
        for (var i = 0; i < Math.Max(5, _o.Wallets / 2); i++) _freelancers.Add(NewUser());
    }

    private string SupportAt(DateTimeOffset at) =>
        !_o.IncludePortalAcl || at >= _start + SamJoins ? DemoUsers.Support[_rng.Next(2)] : DemoUsers.Alice.Name;

    private string AdminAt(DateTimeOffset at) => at >= _start + TimeSpan.FromDays(1) ? DemoUsers.Admins[_rng.Next(2)] : DemoUsers.Admin.Name;

    // The portal's own list: bootstrap admin, then the personas, and one contractor who comes and goes.

    private void SchedulePortalAcl()
    {
        var at = _start;
        Schedule(at, t => Command(Bootstrap, t, id =>
            [Acl(AccessControlListDecisions.Handle(null, new CreateAccessControlList(Resources.PortalAclId, Resources.Portal, "Portal installed", id, Bootstrap, t)))]));
        GrantPersona(at.AddMinutes(1), Bootstrap, DemoUsers.Admin.Name, Personas.Admin, "Bootstrap admin from configuration");
        GrantPersona(at.AddDays(1).AddHours(9), DemoUsers.Admin.Name, DemoUsers.Dave.Name, Personas.Admin, "Second admin so that the portal never depends on one person");
        GrantPersona(at.AddDays(1).AddHours(10), DemoUsers.Admin.Name, DemoUsers.Alice.Name, Personas.Support, "Support team lead");
        GrantPersona(at.AddDays(1).AddHours(11), DemoUsers.Dave.Name, DemoUsers.Carol.Name, Personas.Auditor, "External auditor for the yearly review");
        GrantPersona(at.AddDays(5).AddHours(9), DemoUsers.Dave.Name, DemoUsers.Erin.Name, Personas.Support, "Temporary support contractor for the launch peak");
        GrantPersona(at + SamJoins - TimeSpan.FromHours(1), DemoUsers.Admin.Name, DemoUsers.Sam.Name, Personas.Support, "Joined the support team");
        var erinLeaves = _start + _o.History / 2;
        foreach (var (permission, i) in Personas.Support.Select((p, i) => (p, i)))
        {
            Schedule(erinLeaves.AddMinutes(i), t => Command(DemoUsers.Dave.Name, t, id =>
                [Acl(AccessControlListDecisions.Handle(_acls[Resources.PortalAclId],
                    new RevokePermission(Resources.PortalAclId, DemoUsers.Erin.Name, permission, "Contract ended", id, DemoUsers.Dave.Name, t)))]));
        }
    }

    private void GrantPersona(DateTimeOffset at, string by, string user, Permission[] persona, string reason)
    {
        foreach (var (permission, i) in persona.Select((p, i) => (p, i)))
        {
            Schedule(at.AddSeconds(20 * i), t => Command(by, t, id =>
                [Acl(AccessControlListDecisions.Handle(_acls.GetValueOrDefault(Resources.PortalAclId),
                    new GrantPermission(Resources.PortalAclId, user, permission, reason, id, by, t)))]));
        }
    }

    // Wallets: opened by support over the first months, a welcome grant, and for some a list of their own.

    private void ScheduleWallets()
    {
        var first = _start + TimeSpan.FromDays(2);
        var span = _o.History * 0.6 - TimeSpan.FromDays(2);
        for (var i = 0; i < _o.Wallets; i++)
        {
            var owner = _owners[i];
            var walletId = NextId();
            var withAcl = i % 3 == 0;
            Schedule(first + span * ((i + _rng.NextDouble()) / _o.Wallets), t =>
            {
                var support = SupportAt(t);
                var opened = Command(support, t, id => [W(WalletDecisions.Handle(null, new OpenWallet(walletId, owner, id, support, t)))]);
                if (opened is null) return null;
                Schedule(t + Minutes(10, 360), t2 => Command(support, t2, id =>
                    [W(WalletDecisions.Handle(_wallets[walletId], new GrantCredits(walletId, 5 * _rng.Next(2, 11), "Welcome credits for a new account", id, support, t2), _limits))]));
                if (withAcl) ScheduleResourceAcl(t + Minutes(60, 72 * 60), Resources.Wallet(walletId), "Account owner may see their wallet",
                    [(owner, Permission.ReadWallets)], _rng.NextDouble() < 0.5 ? (support, Permission.GrantCredits) : null);
                return opened;
            });
        }
    }

    private void ScheduleResourceAcl(DateTimeOffset at, string resource, string reason, (string Who, Permission What)[] grants, (string Who, Permission What)? manager)
    {
        var aclId = NextId();
        Schedule(at, t =>
        {
            var admin = AdminAt(t);
            var created = Command(admin, t, id => [Acl(AccessControlListDecisions.Handle(null, new CreateAccessControlList(aclId, resource, reason, id, admin, t)))]);
            if (created is null) return null;
            var all = manager is { } m ? [.. grants, m] : grants;
            for (var i = 0; i < all.Length; i++)
                GrantOnResource(t.AddMinutes(1 + i), aclId, all[i].Who, all[i].What, i < grants.Length ? reason : "Account manager");
            return created;
        });
        _resourceAcls[resource] = aclId;
    }

    private readonly Dictionary<string, Guid> _resourceAcls = [];

    private void GrantOnResource(DateTimeOffset at, Guid aclId, string who, Permission what, string reason) =>
        Schedule(at, t =>
        {
            var admin = AdminAt(t);
            return _acls.TryGetValue(aclId, out var acl)
                ? Command(admin, t, id => [Acl(AccessControlListDecisions.Handle(acl, new GrantPermission(aclId, who, what, reason, id, admin, t)))])
                : null;
        });

    // Jobs: posted by wallet owners, applied to by freelancers, accepted, launched (paid), completed or cancelled.

    private void ScheduleJobs()
    {
        var first = _start + TimeSpan.FromDays(7);
        var span = _end - TimeSpan.FromDays(2) - first;
        for (var i = 0; i < _o.Jobs; i++)
        {
            // The first jobs cover every fate, so even the small set shows each state once.
            var fate = i < 6 ? (JobFate)i : PickFate();
            var jobId = NextId();
            Schedule(first + span * ((i + _rng.NextDouble()) / _o.Jobs), t => PostJob(t, jobId, fate));
        }
    }

    private JobFate PickFate() => _rng.NextDouble() switch
    {
        < 0.45 => JobFate.Completed,
        < 0.57 => JobFate.CancelledAfterLaunch,
        < 0.72 => JobFate.Launched,
        < 0.82 => JobFate.CancelledBeforeLaunch,
        < 0.91 => JobFate.OpenWithAccepted,
        _ => JobFate.OpenWithApplications,
    };

    private IReadOnlyList<DemoEvent>? PostJob(DateTimeOffset t, Guid jobId, JobFate fate)
    {
        if (_openWallets.Count == 0) return null;
        var walletId = _openWallets[_rng.Next(_openWallets.Count)];
        var owner = _wallets[walletId].Owner;
        var title = JobTitle();
        var description = $"{_faker.Company.CatchPhrase()}. {_faker.Commerce.ProductDescription()}";
        var budget = 5 * _rng.Next(1, 13);
        var posted = Command(owner, t, id => [J(JobDecisions.Handle(null, _wallets[walletId], new PostJob(jobId, owner, walletId, title, description, budget, id, owner, t), _limits))]);
        if (posted is null) return null;

        ScheduleResourceAcl(t + Minutes(30, 180), Resources.Job(jobId), "Job owner may follow their job", [(owner, Permission.ReadJobs)], null);
        var candidates = PickParticipants(owner, 1 + _rng.Next(3));
        if (fate != JobFate.OpenWithApplications && _rng.NextDouble() < 0.4)
        {
            var invited = candidates[0];
            Schedule(t + Minutes(60, 24 * 60), t2 => Command(owner, t2, id => [J(JobDecisions.Handle(_jobs[jobId], new InviteParticipant(jobId, invited, id, owner, t2)))]));
        }
        foreach (var candidate in candidates)
        {
            Schedule(t + Minutes(26 * 60, 60 * 60), t2 => Command(candidate, t2, id =>
                [J(JobDecisions.Handle(_jobs[jobId], new ApplyToJob(jobId, candidate, CoverNote(owner), id, candidate, t2)))]));
        }
        if (fate != JobFate.OpenWithApplications)
            Schedule(t + Minutes(3 * 24 * 60, 5 * 24 * 60), t2 => AcceptParticipant(t2, jobId, fate));
        return posted;
    }

    private IReadOnlyList<DemoEvent>? AcceptParticipant(DateTimeOffset t, Guid jobId, JobFate fate)
    {
        var job = _jobs[jobId];
        var applicant = job.Participants.FirstOrDefault(p => p.Status == ApplicationStatus.Applied);
        if (applicant is null) return null;
        var accepted = Command(job.Owner, t, id => [J(JobDecisions.Handle(job, new AcceptParticipant(jobId, applicant.Name, id, job.Owner, t)))]);
        if (accepted is null) return null;
        if (_resourceAcls.TryGetValue(Resources.Job(jobId), out var aclId))
            GrantOnResource(t + Minutes(30, 240), aclId, applicant.Name, Permission.ReadJobs, "Accepted participant may follow the job");
        switch (fate)
        {
            case JobFate.Completed or JobFate.CancelledAfterLaunch or JobFate.Launched:
                Schedule(t + Minutes(24 * 60, 3 * 24 * 60), t2 => Launch(t2, jobId, fate, retry: true));
                break;
            case JobFate.CancelledBeforeLaunch:
                Schedule(t + Minutes(24 * 60, 4 * 24 * 60), t2 => Cancel(t2, jobId));
                break;
        }
        return accepted;
    }

    private IReadOnlyList<DemoEvent>? Launch(DateTimeOffset t, Guid jobId, JobFate fate, bool retry)
    {
        var job = _jobs[jobId];
        var launched = Command(job.Owner, t, id =>
        {
            var (l, s) = JobDecisions.Handle(job, _wallets.GetValueOrDefault(job.OwnerWalletId), new LaunchJob(jobId, id, job.Owner, t));
            return [J(l), W(s)];
        });
        if (launched is null)
        {
            if (retry && _lastError?.Code == ErrorCodes.InsufficientCredits)
            {
                // The owner buys a credit pack, then launches again.
                var missing = job.Budget - _wallets[job.OwnerWalletId].Balance;
                var amount = 10 * ((missing + 9) / 10) + 10 * _rng.Next(0, 6);
                var invoice = Invoice(t);
                Schedule(t + Minutes(20, 180), t2 => Command(Billing, t2, id =>
                    [W(WalletDecisions.Handle(_wallets[job.OwnerWalletId], new GrantCredits(job.OwnerWalletId, amount, invoice, id, Billing, t2), _limits))]));
                Schedule(t + Minutes(200, 600), t2 => Launch(t2, jobId, fate, retry: false));
            }
            return null;
        }
        if (fate == JobFate.Completed)
            Schedule(t + Minutes(5 * 24 * 60, 30 * 24 * 60), t2 => Command(job.Owner, t2, id => [J(JobDecisions.Handle(_jobs[jobId], new CompleteJob(jobId, id, job.Owner, t2)))]));
        else if (fate == JobFate.CancelledAfterLaunch)
            Schedule(t + Minutes(2 * 24 * 60, 10 * 24 * 60), t2 => Cancel(t2, jobId));
        return launched;
    }

    private IReadOnlyList<DemoEvent>? Cancel(DateTimeOffset t, Guid jobId)
    {
        var job = _jobs[jobId];
        var bySupport = _rng.NextDouble() < 0.4;
        var actor = bySupport ? SupportAt(t) : job.Owner;
        var reason = bySupport
            ? Pick($"Cancelled on the owner's request, ticket #{++_ticket}", $"Participant unresponsive for two weeks (ticket #{++_ticket})")
            : Pick("Project postponed by the client", "Found an in-house solution", "Budget was cut for this quarter", "Requirements changed too much");
        return Command(actor, t, id =>
        {
            var (cancelled, refund) = JobDecisions.Handle(job, new CancelJob(jobId, reason, id, actor, t));
            if (refund is null) return [J(cancelled)];
            // The same check the command service makes before appending the refund.
            WalletDecisions.Handle(_wallets[refund.WalletId], new GrantCredits(refund.WalletId, refund.Amount, refund.Reason, id, actor, t,
                Type: refund.Type, TypeMetadata: refund.TypeMetadata), _limits with { MaxCreditsPerOperation = int.MaxValue });
            return [J(cancelled), W(refund)];
        });
    }

    // Four-eyes requests: large grants support asked for that an admin approved or rejected, that nobody acted on until
    // they expired, one the requester withdrew, and a few still open at the end, so the approvals page, its count in the
    // navigation and the overview show every outcome on the first run. Each step is the decision ApprovalService makes.

    private enum RequestFate { Approved, Rejected, Expired, Withdrawn, Pending }

    /// <summary>
    /// Events of requests not yet recorded: everything else stops short of them, so the requests near the end (the open
    /// ones) are never cut off by the requested event count.
    /// </summary>
    private int _approvalReserve;

    private static int EndingEvents(RequestFate fate) => fate switch { RequestFate.Approved => 2, RequestFate.Pending => 0, _ => 1 };

    private void ScheduleApprovals()
    {
        (double At, RequestFate Fate)[] decided =
        [
            (0.30, RequestFate.Approved), (0.42, RequestFate.Rejected), (0.50, RequestFate.Expired), (0.61, RequestFate.Approved),
            (0.70, RequestFate.Withdrawn), (0.78, RequestFate.Expired), (0.86, RequestFate.Approved), (0.91, RequestFate.Rejected),
        ];
        foreach (var (share, fate) in decided)
            ScheduleApproval(_start + _o.History * share + Minutes(0, 8 * 60), 1 + EndingEvents(fate), t => RequestGrant(t, fate));
        // Still open when the portal starts: it seeds a history that ends at the current hour, so "now" is less than an
        // hour past the end, and these expire 60% or more of the expiry time after it.
        var expiry = _o.ApprovalExpiry;
        foreach (var share in new[] { 0.4, 0.15, 0.05 })
            ScheduleApproval(_end - expiry * share, 1, t => RequestGrant(t, RequestFate.Pending));
        if (_o.IncludePortalAcl) ScheduleApproval(_end - expiry * 0.25, 1, RequestApprover);
    }

    /// <summary>Reserves the events of one step of a request until it runs (or frees them when it falls after the end).</summary>
    private void ScheduleApproval(DateTimeOffset at, int events, Func<DateTimeOffset, IReadOnlyList<DemoEvent>?> action, bool planned = true)
    {
        if (at > _end) return;
        _approvalReserve += events;
        if (planned) _structuralEstimate += events;
        Schedule(at, t =>
        {
            _approvalReserve -= events;
            return action(t);
        });
    }

    private IReadOnlyList<DemoEvent>? RequestGrant(DateTimeOffset t, RequestFate fate)
    {
        if (_openWallets.Count == 0) return null;
        var walletId = _openWallets[_rng.Next(_openWallets.Count)];
        var requestId = NextId();
        var requester = SupportAt(t);
        var amount = Pick(1_500, 2_000, 2_500, 5_000, 10_000);
        var reason = Pick($"Goodwill credits after the payment outage, ticket #{++_ticket}", $"Enterprise onboarding package, contract C-{_rng.Next(1000, 9999)}",
            $"Compensation for a failed job launch, ticket #{++_ticket}", $"Annual prepaid plan, invoice INV-{t:yyyy}-{_invoice++:D6}");
        // Reserved with the request: its ending comes from the same budget, so it is released once the request is recorded.
        var ending = EndingEvents(fate);
        _approvalReserve += ending;
        var requested = Command(requester, t, id =>
        {
            var wallet = _wallets[walletId];
            // As ApprovalService does, the change is decided when asked for too: one that could never be approved is refused at once.
            WalletDecisions.Handle(wallet, new GrantCredits(walletId, amount, reason, id, requester, t), _limits);
            return [R(ApprovalDecisions.Handle(null, new RequestApproval(requestId, ApprovalAction.GrantCredits, walletId, $"wallet of {wallet.Owner}",
                _versions[walletId], amount, null, null, reason, id, requester, t, _o.ApprovalExpiry)))];
        });
        _approvalReserve -= ending;
        if (requested is null) return null;
        // The decision is part of the request's operation: it carries the request's correlation, as ApprovalService does.
        var correlation = requested[0].CorrelationId;
        switch (fate)
        {
            case RequestFate.Approved:
                ScheduleApproval(t + Minutes(20, 6 * 60), ending, t2 =>
                {
                    var approver = AdminAt(t2);
                    return Command(approver, t2, id =>
                    {
                        var request = _requests[requestId];
                        var approved = ApprovalDecisions.Handle(request, new ApproveRequest(requestId, Pick("Checked against the ticket", "Contract seen", ""), id, approver, t2));
                        // The change itself, in the same command: decided again on the wallet as it is now, granted by the requester.
                        var granted = WalletDecisions.Handle(_wallets[walletId], new GrantCredits(walletId, amount, request.Reason, id, request.RequestedBy, t2), _limits);
                        return [W(granted), R(approved)];
                    }, correlation);
                }, planned: false);
                break;
            case RequestFate.Rejected:
                ScheduleApproval(t + Minutes(60, 20 * 60), ending, t2 =>
                {
                    var approver = AdminAt(t2);
                    var why = Pick("Not covered by the goodwill policy: offer 500 credits instead", "Needs the signed contract first", "Duplicate of an earlier grant");
                    return Command(approver, t2, id => [R(ApprovalDecisions.Handle(_requests[requestId], new RejectRequest(requestId, why, id, approver, t2)))], correlation);
                }, planned: false);
                break;
            case RequestFate.Withdrawn:
                ScheduleApproval(t + Minutes(30, 4 * 60), ending, t2 => Command(requester, t2, id =>
                    [R(ApprovalDecisions.Handle(_requests[requestId], new WithdrawRequest(requestId, "The customer found the credits on another account", id, requester, t2)))], correlation), planned: false);
                break;
            case RequestFate.Expired:
                // The portal's expiry check runs every minute or so after the due time.
                ScheduleApproval(t + _o.ApprovalExpiry + Minutes(1, 10), ending, t2 => Command(ApprovalService.ExpiryActor, t2, id =>
                    [R(ApprovalDecisions.Handle(_requests[requestId], new ExpireRequest(requestId, ApprovalService.ExpiryActor, t2)))], correlation), planned: false);
                break;
        }
        return requested;
    }

    /// <summary>An admin asks a second admin to let senior support approve too: a change to the portal's own list, still open at the end.</summary>
    private IReadOnlyList<DemoEvent>? RequestApprover(DateTimeOffset t)
    {
        var requester = AdminAt(t);
        const string reason = "Senior support covers approvals during the holidays";
        return Command(requester, t, id =>
        {
            var portal = _acls[Resources.PortalAclId];
            AccessControlListDecisions.Handle(portal, new GrantPermission(Resources.PortalAclId, DemoUsers.Sam.Name, Permission.ApproveChanges, reason, id, requester, t));
            return [R(ApprovalDecisions.Handle(null, new RequestApproval(NextId(), ApprovalAction.GrantPermission, Resources.PortalAclId, portal.Resource,
                _versions[Resources.PortalAclId], null, DemoUsers.Sam.Name, Permission.ApproveChanges, reason, id, requester, t, _o.ApprovalExpiry)))];
        });
    }

    // Everyday credit movements between the structural events, paced to reach the requested event count by the end.

    private IReadOnlyList<DemoEvent>? Filler(DateTimeOffset t)
    {
        IReadOnlyList<DemoEvent>? result = null;
        if (_openWallets.Count > 0)
        {
            var walletId = _openWallets[_rng.Next(_openWallets.Count)];
            var wallet = _wallets[walletId];
            if (wallet.Balance > 0 && _rng.NextDouble() < 0.5)
            {
                var amount = 1 + _rng.Next(Math.Min(wallet.Balance, 60));
                var byOwner = _rng.NextDouble() < 0.5;
                var actor = byOwner ? wallet.Owner : SupportAt(t);
                var reason = byOwner
                    ? Pick("Featured listing for 7 days", "Boosted job visibility", "Profile verification fee", "Portfolio spotlight for 30 days")
                    : Pick($"Dispute handling fee (case #{++_ticket})", $"Manual correction: credits granted in error on {t.AddDays(-_rng.Next(1, 20)):yyyy-MM-dd}",
                        $"Premium support call on {t:yyyy-MM-dd}");
                result = Command(actor, t, id => [W(WalletDecisions.Handle(wallet, new SpendCredits(walletId, amount, reason, id, actor, t), _limits))], structural: false);
            }
            else if (_rng.NextDouble() < 0.5)
            {
                var amount = Pick(10, 20, 25, 50, 100, 200);
                var invoice = Invoice(t);
                result = Command(Billing, t, id => [W(WalletDecisions.Handle(wallet, new GrantCredits(walletId, amount, invoice, id, Billing, t), _limits))], structural: false);
            }
            else
            {
                var amount = Pick(5, 10, 15, 20, 30, 50);
                var support = SupportAt(t);
                var reason = Pick($"Goodwill after support ticket #{++_ticket}", $"Compensation for a failed payout (ticket #{++_ticket})",
                    $"Promotional credits: {Season(t)} campaign", $"Referral bonus for inviting {_freelancers[_rng.Next(_freelancers.Count)]}",
                    $"Correction of a double charge on {t.AddDays(-_rng.Next(1, 20)):yyyy-MM-dd}");
                result = Command(support, t, id => [W(WalletDecisions.Handle(wallet, new GrantCredits(walletId, amount, reason, id, support, t), _limits))], structural: false);
            }
        }

        var pendingStructural = Math.Max(0, _structuralEstimate - _structuralEmitted);
        var budget = Math.Max(1, _o.Events - _emitted - pendingStructural);
        var mean = (_end - t).Ticks / (double)budget;
        var next = t + TimeSpan.FromTicks((long)(mean * (0.5 + _rng.NextDouble())));
        if (_openWallets.Count > 0 || next < _end) Schedule(next < _end ? next : _end, Filler);
        return result;
    }

    // Plumbing

    private void Schedule(DateTimeOffset at, Func<DateTimeOffset, IReadOnlyList<DemoEvent>?> action)
    {
        if (at > _end) return;
        _agenda.Enqueue(action, (at.UtcTicks, _seq++));
    }

    /// <summary>Runs one decision as one command: all its events or none, stopping exactly at the requested count.</summary>
    private IReadOnlyList<DemoEvent>? Command(string actor, DateTimeOffset at, Func<Guid, (Guid Stream, Type Type, object Event)[]> decide, string? correlationId = null,
        bool structural = true)
    {
        var commandId = NextId();
        (Guid Stream, Type Type, object Event)[] decided;
        try
        {
            decided = decide(commandId);
            _lastError = null;
        }
        catch (DomainException e)
        {
            _lastError = e.Error;
            return null;
        }
        if (_emitted + decided.Length > _o.Events - _approvalReserve) return null;

        var correlation = correlationId ?? NextId().ToString();
        var events = new List<DemoEvent>(decided.Length);
        foreach (var (stream, type, e) in decided)
        {
            Evolve(stream, e);
            var version = _versions.GetValueOrDefault(stream) + 1;
            _versions[stream] = version;
            events.Add(new DemoEvent(stream, type, version, e, at, actor, commandId, correlation));
        }
        _emitted += events.Count;
        if (structural) _structuralEmitted += events.Count;
        return events;
    }

    private void Evolve(Guid stream, object e)
    {
        switch (e)
        {
            case WalletOpened:
                _wallets[stream] = WalletHistory.Apply(null, e)!;
                _openWallets.Add(stream);
                break;
            case CreditsGranted or CreditsSpent:
                _wallets[stream] = WalletHistory.Apply(_wallets[stream], e)!;
                break;
            case AccessControlListCreated or PermissionGranted or PermissionRevoked:
                _acls[stream] = AccessControlListHistory.Apply(_acls.GetValueOrDefault(stream), e)!;
                break;
            case IApprovalEvent:
                _requests[stream] = ApprovalRequestHistory.Apply(_requests.GetValueOrDefault(stream), e)!;
                break;
            default:
                _jobs[stream] = JobHistory.Apply(_jobs.GetValueOrDefault(stream), e)!;
                break;
        }
    }

    private static (Guid, Type, object) W(WalletOpened e) => (e.WalletId, typeof(Wallet), e);
    private static (Guid, Type, object) W(CreditsGranted e) => (e.WalletId, typeof(Wallet), e);
    private static (Guid, Type, object) W(CreditsSpent e) => (e.WalletId, typeof(Wallet), e);
    private static (Guid, Type, object) Acl(AccessControlListCreated e) => (e.AclId, typeof(AccessControlList), e);
    private static (Guid, Type, object) Acl(PermissionGranted e) => (e.AclId, typeof(AccessControlList), e);
    private static (Guid, Type, object) Acl(PermissionRevoked e) => (e.AclId, typeof(AccessControlList), e);
    private static (Guid, Type, object) R(IApprovalEvent e) => (e.RequestId, typeof(ApprovalRequest), e);
    private static (Guid, Type, object) J(JobPosted e) => (e.JobId, typeof(Job), e);
    private static (Guid, Type, object) J(ParticipantInvited e) => (e.JobId, typeof(Job), e);
    private static (Guid, Type, object) J(JobApplicationSubmitted e) => (e.JobId, typeof(Job), e);
    private static (Guid, Type, object) J(ParticipantAccepted e) => (e.JobId, typeof(Job), e);
    private static (Guid, Type, object) J(JobLaunched e) => (e.JobId, typeof(Job), e);
    private static (Guid, Type, object) J(JobCompleted e) => (e.JobId, typeof(Job), e);
    private static (Guid, Type, object) J(JobCancelled e) => (e.JobId, typeof(Job), e);

    private Guid NextId()
    {
        Span<byte> bytes = stackalloc byte[16];
        _rng.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    private TimeSpan Minutes(int min, int max) => TimeSpan.FromMinutes(_rng.Next(min, max));

    private T Pick<T>(params T[] options) => options[_rng.Next(options.Length)];

    private string[] PickParticipants(string owner, int count)
    {
        var picked = new List<string>(count);
        for (var attempt = 0; picked.Count < count && attempt < count * 10; attempt++)
        {
            var who = _rng.NextDouble() < 0.8 ? _freelancers[_rng.Next(_freelancers.Count)] : _owners[_rng.Next(_owners.Count)];
            if (!string.Equals(who, owner, StringComparison.OrdinalIgnoreCase) && !picked.Contains(who)) picked.Add(who);
        }
        return [.. picked];
    }

    private string JobTitle() => _rng.Next(7) switch
    {
        0 => $"Logo and brand kit for {_faker.Company.CompanyName()}",
        1 => $"Landing page for the {_faker.Commerce.ProductName()}",
        2 => $"Translate the {_faker.Commerce.ProductName()} manual into {Pick("German", "French", "Spanish", "Polish", "Japanese")}",
        3 => $"Product photos for the {_faker.Commerce.Department()} catalogue",
        4 => $"Fix the checkout bug in the {_faker.Company.CompanyName()} shop",
        5 => $"{_rng.Next(3, 9)} blog posts about {_faker.Commerce.Department().ToLowerInvariant()}",
        _ => $"Bookkeeping for {_faker.Company.CompanyName()}",
    };

    private string CoverNote(string owner) =>
        $"Hi {owner}, I have {_rng.Next(2, 15)} years of experience with work like this. I can {_faker.Company.Bs()}.";

    private string Invoice(DateTimeOffset t) => $"Credit pack purchase, invoice INV-{t:yyyy}-{_invoice++:D6}";

    private static string Season(DateTimeOffset t) => t.Month switch
    {
        12 or 1 or 2 => "winter",
        3 or 4 or 5 => "spring",
        6 or 7 or 8 => "summer",
        _ => "autumn",
    };
}
