using AuditPortal.Core.Projections;
using Marten.Linq;

namespace AuditPortal.Core.Jobs;

public sealed record JobListQuery(
    int Page = 0, int PageSize = 25, string? SortBy = null, bool Descending = false,
    string? TextContains = null, JobStatus? Status = null);

public sealed record JobListPage(IReadOnlyList<JobOwnerView> Items, long TotalCount, PreviousVersion? Previous = null) : ListPage(Previous);

/// <summary>One event of a job's own stream, described for people.</summary>
public sealed record JobTimelineEntry(long Version, long Sequence, string EventType, DateTimeOffset At, string Actor, string Summary);

/// <summary>The reads of the job pages; lets the pages be rendered without a database in component tests.</summary>
public interface IJobReads
{
    Task<JobListPage> ListAsync(JobListQuery query, CancellationToken ct = default);
    Task<JobOwnerView?> GetAsync(Guid jobId, CancellationToken ct = default);
    Task<IReadOnlyList<JobParticipantView>> GetParticipantsAsync(Guid jobId, CancellationToken ct = default);
    Task<JobParticipantView?> GetParticipantAsync(Guid jobId, string participant, CancellationToken ct = default);
    Task<IReadOnlyList<JobTimelineEntry>> GetTimelineAsync(Guid jobId, CancellationToken ct = default);
}

/// <summary>
/// Read side of the job pages: one query session per call, each first checking that the caller of this moment
/// holds ReadJobs (<see cref="AccessDeniedException"/> otherwise).
/// While a new version of the read models is built (<see cref="ReadModelUpgrade"/>), the list and the participant
/// views are answered by the previous version (the list says so); a job's owner view is folded from its own stream.
/// </summary>
public sealed class JobQueries(IDocumentStore store, PreviousReadModels previous, ICurrentActor caller) : IJobReads, IPortalReads
{
    public const int MaxPageSize = 200;

    public async Task<JobListPage> ListAsync(JobListQuery query, CancellationToken ct = default)
    {
        await using var session = store.QuerySession();
        await PortalAccess.DemandAsync(session, caller, "jobs", ct, Permission.ReadJobs);
        return await previous.ReadAsync<JobOwnerView, JobListPage>(session, s => ListAsync(s, query, ct), ct);
    }

    private static async Task<JobListPage> ListAsync(IQuerySession session, JobListQuery query, CancellationToken ct)
    {
        IQueryable<JobOwnerView> q = session.Query<JobOwnerView>();
        if (query.TextContains?.Trim() is { Length: > 0 } text)
            q = q.Where(x => x.Title.Contains(text, StringComparison.OrdinalIgnoreCase) || x.Owner.Contains(text, StringComparison.OrdinalIgnoreCase));
        if (query.Status is { } status) q = q.Where(x => x.Status == status);

        var pageSize = Math.Clamp(query.PageSize, 1, MaxPageSize);
        // Count and page as two statements: Marten's Stats() adds count(*) over(), which makes PostgreSQL read and
        // sort every matching row before it can take a page (~600 ms instead of a few ms at 100,000 rows).
        var total = await q.CountAsync(ct);
        var items = await Sort(q, query.SortBy, query.Descending)
            .Skip(Math.Max(query.Page, 0) * pageSize).Take(pageSize)
            .ToListAsync(ct);
        return new JobListPage(items, total);
    }

    public async Task<JobOwnerView?> GetAsync(Guid jobId, CancellationToken ct = default)
    {
        await using var session = store.QuerySession();
        await PortalAccess.DemandAsync(session, caller, Resources.Job(jobId), ct, Permission.ReadJobs);
        return await ReadModelUpgrade.LoadOrFoldAsync<JobOwnerView>(session, jobId, ct);
    }

    public async Task<IReadOnlyList<JobParticipantView>> GetParticipantsAsync(Guid jobId, CancellationToken ct = default)
    {
        await using var session = store.QuerySession();
        await PortalAccess.DemandAsync(session, caller, Resources.Job(jobId), ct, Permission.ReadJobs);
        return await FromServingVersionAsync(session,
            s => s.Query<JobParticipantView>().Where(x => x.JobId == jobId).OrderBy(x => x.Participant).ToListAsync(ct), ct);
    }

    public async Task<JobParticipantView?> GetParticipantAsync(Guid jobId, string participant, CancellationToken ct = default)
    {
        await using var session = store.QuerySession();
        await PortalAccess.DemandAsync(session, caller, Resources.Job(jobId), ct, Permission.ReadJobs);
        var key = JobParticipantView.Key(jobId, participant.Trim());
        return await FromServingVersionAsync(session, s => s.LoadAsync<JobParticipantView>(key, ct), ct);
    }

    // The previous version while a new one is built (a participant's view spans events that no single read folds
    // cheaply), the current one otherwise or once the previous has gone.
    private async Task<T> FromServingVersionAsync<T>(IQuerySession session, Func<IQuerySession, Task<T>> read, CancellationToken ct)
    {
        if (await ReadModelUpgrade.PreviousIsServingAsync(session, ct))
        {
            try
            {
                await using var old = previous.QuerySession();
                return await read(old);
            }
            catch (Exception e) when (PreviousReadModels.IsGone(e))
            {
            }
        }
        return await read(session);
    }

    public async Task<IReadOnlyList<JobTimelineEntry>> GetTimelineAsync(Guid jobId, CancellationToken ct = default)
    {
        await using var session = store.QuerySession();
        await PortalAccess.DemandAsync(session, caller, Resources.Job(jobId), ct, Permission.ReadJobs);
        var events = await session.Events.FetchStreamAsync(jobId, token: ct);
        return events
            .OrderByDescending(e => e.Version)
            .Select(e => new JobTimelineEntry(e.Version, e.Sequence, e.EventTypeName, e.Timestamp, e.UserName ?? "", Describe(e.Data)))
            .ToList();
    }

    public static string Describe(object data) => data switch
    {
        JobPosted e => $"{e.PostedBy} posted \"{e.Title}\" for {e.Owner} with a budget of {e.Budget} credits",
        ParticipantInvited e => $"{e.InvitedBy} invited {e.Participant}",
        JobApplicationSubmitted e => $"{e.Participant} applied" + (e.CoverNote.Length > 0 ? $": {e.CoverNote}" : ""),
        ParticipantAccepted e => $"{e.AcceptedBy} accepted {e.Participant}",
        JobLaunched e => $"{e.LaunchedBy} launched the job; {e.CreditsSpent} credits spent",
        JobCompleted e => $"{e.CompletedBy} completed the job",
        JobCancelled e => $"{e.CancelledBy} cancelled the job ({e.Reason})" + (e.CreditsRefunded > 0 ? $"; {e.CreditsRefunded} credits refunded" : ""),
        CreditsSpent e => $"{e.SpentBy} spent {e.Amount} credits: {e.Reason}",
        CreditsGranted e => $"{e.GrantedBy} granted {e.Amount} credits: {e.Reason}",
        _ => data.GetType().Name,
    };

    private static IQueryable<JobOwnerView> Sort(IQueryable<JobOwnerView> q, string? sortBy, bool descending) => sortBy switch
    {
        nameof(JobOwnerView.Title) => q.SortBy(x => x.Title, descending).ThenBy(x => x.Id),
        nameof(JobOwnerView.Status) => q.SortBy(x => x.Status, descending).ThenBy(x => x.Id),
        nameof(JobOwnerView.Owner) => q.SortBy(x => x.Owner, descending).ThenBy(x => x.Id),
        nameof(JobOwnerView.CreditsSpent) => q.SortBy(x => x.CreditsSpent, descending).ThenBy(x => x.Id),
        nameof(JobOwnerView.Budget) => q.SortBy(x => x.Budget, descending).ThenBy(x => x.Id),
        nameof(JobOwnerView.PostedAt) => q.SortBy(x => x.PostedAt, descending).ThenBy(x => x.Id),
        // Newest activity first unless the user picks a column.
        _ => q.SortBy(x => x.LastChangedAt, descending || sortBy is null).ThenBy(x => x.Id),
    };
}
