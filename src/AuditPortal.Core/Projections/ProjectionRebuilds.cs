namespace AuditPortal.Core.Projections;

/// <summary>A rebuild started from the portal: live progress, its outcome, and who cancelled it.</summary>
public sealed class RebuildRun
{
    internal readonly CancellationTokenSource Cancellation = new();

    public required string StartedBy { get; init; }
    public required string? Projection { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public RebuildProgress? Progress { get; set; }
    public RebuildOutcome? Outcome { get; internal set; }
    public string? CancelledBy { get; internal set; }
    public bool IsRunning => Outcome is null;
}

/// <summary>What the projections page needs: status, the running rebuild, start and cancel.</summary>
public interface IProjectionConsole
{
    RebuildRun? Current { get; }
    event Action? Changed;
    /// <summary>Every async read model's status; <see cref="AccessDeniedException"/> unless the actor may manage projections (the page's own policy).</summary>
    Task<IReadOnlyList<ProjectionStatus>> StatusAsync(Actor actor, CancellationToken ct = default);
    RebuildRun? TryStart(Actor actor, string? projection, out string? refusal);

    /// <summary>Cancels the running rebuild; <see cref="AccessDeniedException"/> unless the actor may manage projections.</summary>
    Task<bool> CancelAsync(Actor actor, CancellationToken ct = default);
}

/// <summary>
/// At most one portal-started rebuild at a time, shared by every circuit: the page shows its progress and may cancel it.
/// </summary>
public sealed class ProjectionRebuilds(ProjectionOperations operations) : IProjectionConsole, IPortalReads
{
    private readonly Lock _gate = new();

    public RebuildRun? Current { get; private set; }

    /// <summary>Raised from the rebuild's thread on every progress step and at the end.</summary>
    public event Action? Changed;

    public async Task<IReadOnlyList<ProjectionStatus>> StatusAsync(Actor actor, CancellationToken ct = default)
    {
        // The page's read goes through the gate like every read service; ProjectionOperations.StatusAsync itself stays
        // ungated for the health check, the CLI and read services that demanded first (the overview's admin group).
        await PortalAccess.DemandAsync(operations.Store, actor, "projections", ct, Permission.ManageProjections);
        return await operations.StatusAsync(Rebuilding(), ct);
    }

    public IReadOnlyCollection<string> Rebuilding()
    {
        var run = Current;
        if (run is not { IsRunning: true }) return [];
        // Members of a composite are rebuilt together with it.
        var all = operations.AsyncProjections();
        var runs = all.Where(p => run.Projection is not { } one || string.Equals(p.Name, one, StringComparison.OrdinalIgnoreCase) || string.Equals(p.RunBy, one, StringComparison.OrdinalIgnoreCase))
            .Select(p => p.RunBy).ToHashSet();
        return all.Where(p => runs.Contains(p.RunBy)).Select(p => p.Name).ToHashSet();
    }

    public RebuildRun? TryStart(Actor actor, string? projection, out string? refusal)
    {
        lock (_gate)
        {
            if (Current is { IsRunning: true } running)
            {
                refusal = $"A rebuild started by {running.StartedBy} is still running.";
                return null;
            }
            var run = new RebuildRun { StartedBy = actor.UserName, Projection = projection, StartedAt = DateTimeOffset.UtcNow };
            Current = run;
            refusal = null;
            _ = Task.Run(() => RunAsync(actor, run));
            return run;
        }
    }

    public async Task<bool> CancelAsync(Actor actor, CancellationToken ct = default)
    {
        await operations.EnsureAllowedAsync(actor, ct);
        var run = Current;
        if (run is not { IsRunning: true }) return false;
        run.CancelledBy = actor.UserName;
        run.Cancellation.Cancel();
        return true;
    }

    private async Task RunAsync(Actor actor, RebuildRun run)
    {
        try
        {
            var progress = new Reporter(p => { run.Progress = p; Changed?.Invoke(); });
            run.Outcome = await operations.RebuildAsync(actor, new RebuildRequest(run.Projection), progress, () => run.CancelledBy ?? actor.UserName, run.Cancellation.Token);
        }
        catch (AccessDeniedException e)
        {
            // Checked when the rebuild runs: a permission revoked since the page opened refuses it, and nothing is recorded.
            run.Outcome = new RebuildOutcome(Guid.Empty, false, false, run.Projection is null ? [] : [run.Projection], 0, TimeSpan.Zero, Error: e.Message, Refused: true);
        }
        catch (Exception e)
        {
            run.Outcome = new RebuildOutcome(Guid.Empty, false, false, run.Projection is null ? [] : [run.Projection], 0, DateTimeOffset.UtcNow - run.StartedAt, Error: e.Message);
        }
        Changed?.Invoke();
    }

    private sealed class Reporter(Action<RebuildProgress> report) : IProgress<RebuildProgress>
    {
        public void Report(RebuildProgress value) => report(value);
    }
}
