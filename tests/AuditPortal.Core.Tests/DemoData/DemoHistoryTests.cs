using System.Text.Json;

namespace AuditPortal.Core.Tests.DemoData;

public class DemoHistoryTests
{
    private static readonly List<DemoEvent> Small = DemoHistory.Generate(DemoOptions.Small).ToList();

    private static string Fingerprint(DemoEvent e) =>
        $"{e.StreamId}|{e.StreamType.Name}|{e.Version}|{e.At:O}|{e.UserName}|{e.CommandId}|{e.CorrelationId}|{e.Data.GetType().Name}|{JsonSerializer.Serialize(e.Data, e.Data.GetType())}";

    [Fact]
    public void Given_the_same_options_When_generating_twice_Then_every_event_id_and_time_is_the_same()
    {
        var again = DemoHistory.Generate(DemoOptions.Small).Select(Fingerprint).ToList();

        Assert.Equal(Small.Select(Fingerprint), again);
    }

    [Fact]
    public void Given_another_seed_When_generating_Then_the_history_differs()
    {
        var other = DemoHistory.Generate(DemoOptions.Small with { Seed = 7 }).Select(Fingerprint).ToList();

        Assert.NotEqual(Small.Select(Fingerprint), other);
    }

    [Fact]
    public void Given_the_small_set_When_generating_Then_it_has_the_requested_size()
    {
        Assert.Equal(4000, Small.Count);
        Assert.Equal(120, Small.Count(e => e.Data is WalletOpened));
        Assert.Equal(45, Small.Count(e => e.Data is JobPosted));
        Assert.True(Small.Count(e => e.Data is AccessControlListCreated) > 10);
    }

    [Fact]
    public void Given_the_small_set_When_replaying_each_stream_Then_versions_are_contiguous_and_no_balance_goes_negative()
    {
        foreach (var stream in Small.GroupBy(e => e.StreamId))
        {
            Assert.Equal(Enumerable.Range(1, stream.Count()).Select(v => (long)v), stream.Select(e => e.Version));
            Assert.Single(stream.Select(e => e.StreamType).Distinct());
            if (stream.First().StreamType == typeof(Wallet))
            {
                Wallet? wallet = null;
                foreach (var e in stream)
                {
                    wallet = WalletHistory.Apply(wallet, e.Data);
                    Assert.True(wallet!.Balance >= 0);
                }
            }
            else if (stream.First().StreamType == typeof(Job)) Assert.NotNull(JobHistory.Replay(stream.Select(e => e.Data)));
            else if (stream.First().StreamType == typeof(ApprovalRequest)) Assert.NotNull(ApprovalRequestHistory.Replay(stream.Select(e => e.Data)));
            else Assert.NotNull(AccessControlListHistory.Replay(stream.Select(e => e.Data)));
        }
    }

    [Fact]
    public void Given_the_small_set_When_generating_Then_events_are_in_time_order_within_months_of_history()
    {
        var options = DemoOptions.Small;
        Assert.Equal(Small.OrderBy(e => e.At).Select(e => e.At), Small.Select(e => e.At));
        Assert.All(Small, e => Assert.InRange(e.At, options.End - options.History, options.End));
        Assert.True(Small[^1].At - Small[0].At > TimeSpan.FromDays(90));
        Assert.All(Small.GroupBy(e => e.CommandId), command => Assert.Single(command.Select(e => (e.UserName, e.At, e.CorrelationId)).Distinct()));
    }

    [Fact]
    public void Given_the_small_set_When_generating_Then_every_job_state_and_credit_movement_appears()
    {
        var data = Small.Select(e => e.Data).ToList();
        var jobs = Small.Where(e => e.StreamType == typeof(Job)).GroupBy(e => e.StreamId).Select(s => JobHistory.Replay(s.Select(e => e.Data))!).ToList();

        Assert.Contains(jobs, j => j.Status == JobStatus.Open && j.Participants.Any(p => p.Status == ApplicationStatus.Applied));
        Assert.Contains(jobs, j => j.Status == JobStatus.Open && j.Participants.Any(p => p.Status == ApplicationStatus.Accepted));
        Assert.Contains(jobs, j => j.Status == JobStatus.Launched);
        Assert.Contains(jobs, j => j.Status == JobStatus.Completed);
        Assert.Contains(jobs, j => j.Status == JobStatus.Cancelled && j.CreditsSpent == 0);
        Assert.Contains(data, e => e is ParticipantInvited);
        Assert.Contains(data, e => e is CreditsGranted { Type: GrantTypes.Refund, TypeMetadata.JobId: not null });
        Assert.All(data.OfType<JobLaunched>(), l => Assert.Contains(data, e => e is CreditsSpent { Type: SpendTypes.JobLaunch } s && s.TypeMetadata!.JobId == l.JobId));
        Assert.Contains(data, e => e is CreditsSpent { Type: SpendTypes.Manual });
        Assert.Contains(data, e => e is CreditsGranted { Type: GrantTypes.Manual });
    }

    [Fact]
    public void Given_the_small_set_When_generating_Then_requests_end_every_way_and_each_approval_carries_its_grant_in_the_requests_operation()
    {
        var requests = Small.Where(e => e.StreamType == typeof(ApprovalRequest)).GroupBy(e => e.StreamId).ToList();
        var states = requests.Select(r => ApprovalRequestHistory.Replay(r.Select(e => e.Data))!).ToList();

        foreach (var status in new[] { ApprovalStatus.Approved, ApprovalStatus.Rejected, ApprovalStatus.Expired, ApprovalStatus.Withdrawn })
            Assert.Contains(states, r => r.Status == status);
        Assert.True(states.Count(r => r.Status == ApprovalStatus.Pending) >= 3);
        Assert.Contains(states, r => r is { Status: ApprovalStatus.Pending, Action: ApprovalAction.GrantPermission, Permission: Permission.ApproveChanges });
        Assert.All(states.Where(r => r.Status is ApprovalStatus.Approved or ApprovalStatus.Rejected), r => Assert.False(ApprovalDecisions.SamePerson(r.RequestedBy, r.DecidedBy!)));
        Assert.All(states.Where(r => r.Status == ApprovalStatus.Expired), r => Assert.Equal(ApprovalService.ExpiryActor, r.DecidedBy));
        foreach (var request in requests)
        {
            // Every decision carries the request's correlation: the explorer shows request, decision and change as one operation.
            Assert.Single(request.Select(e => e.CorrelationId).Distinct());
            var approval = request.SingleOrDefault(e => e.Data is RequestApproved);
            if (approval is null) continue;
            var change = Small.Single(e => e.CommandId == approval.CommandId && e.StreamType == typeof(Wallet));
            var asked = (ApprovalRequested)request.First().Data;
            Assert.Equal((asked.TargetId, asked.Amount!.Value, asked.RequestedBy, approval.CorrelationId, approval.UserName),
                (change.StreamId, ((CreditsGranted)change.Data).Amount, ((CreditsGranted)change.Data).GrantedBy, change.CorrelationId, change.UserName));
        }
    }

    [Fact]
    public void Given_a_history_ending_at_the_current_hour_When_the_portal_starts_within_the_hour_Then_no_open_request_is_due_to_expire()
    {
        var options = DemoOptions.Small with { ApprovalExpiry = TimeSpan.FromHours(24) };
        var open = DemoHistory.Generate(options).Where(e => e.StreamType == typeof(ApprovalRequest)).GroupBy(e => e.StreamId)
            .Select(r => ApprovalRequestHistory.Replay(r.Select(e => e.Data))!).Where(r => r.Status == ApprovalStatus.Pending).ToList();

        Assert.True(open.Count >= 3);
        Assert.All(open, r => Assert.True(r.ExpiresAt > options.End.AddHours(1), $"{r.Describe()} expires at {r.ExpiresAt:u}"));
        Assert.All(open, r => Assert.Equal(options.ApprovalExpiry, r.ExpiresAt - r.RequestedAt));
    }

    [Fact]
    public void Given_the_small_set_When_replaying_the_portal_list_Then_the_demo_users_have_their_personas()
    {
        var portal = AccessControlListHistory.Replay(Small.Where(e => e.StreamId == Resources.PortalAclId).Select(e => e.Data))!;

        Assert.Equal(Resources.Portal, portal.Resource);
        foreach (var (user, persona) in DemoUsers.FinalPersonas)
            Assert.Equal(persona.Order(), portal.Entries.Where(x => AccessControlList.Same(x.Principal, user)).Select(x => x.Permission).Order());
        Assert.DoesNotContain(portal.Entries, x => x.Principal == DemoUsers.Erin.Name);
        Assert.Contains(Small, e => e.Data is PermissionRevoked r && r.Principal == DemoUsers.Erin.Name);
        Assert.Equal(new[] { "admin", "alice", "carol", "dave", "sam" }, portal.Entries.Select(x => x.Principal).Distinct().Order());
    }

    [Fact]
    public void Given_no_portal_list_When_generating_Then_only_marketplace_streams_are_produced()
    {
        var events = DemoHistory.Generate(DemoOptions.Small with { IncludePortalAcl = false }).ToList();

        Assert.DoesNotContain(events, e => e.StreamId == Resources.PortalAclId);
        Assert.Equal(4000, events.Count);
    }

    [Fact]
    public void Given_the_bulk_options_When_generating_the_first_hundred_thousand_Then_they_are_valid_and_lazy()
    {
        var versions = new Dictionary<Guid, long>();
        var count = 0;
        foreach (var e in DemoHistory.Generate(DemoOptions.Bulk).Take(100_000))
        {
            Assert.Equal(versions.GetValueOrDefault(e.StreamId) + 1, e.Version);
            versions[e.StreamId] = e.Version;
            count++;
        }
        Assert.Equal(100_000, count);
    }
}
