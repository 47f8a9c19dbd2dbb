using AuditPortal.Core.AccessControl;
using AuditPortal.Core.Jobs;
using AuditPortal.Core.Wallets;
using Marten;

namespace AuditPortal.Core.DemoData;

/// <summary>
/// Deterministic demo history: the demo users and their portal personas, marketplace users with wallets and
/// jobs, per-resource access-control lists, and months of credit movements. Every event is produced by the
/// pure decisions, so the history is one the command services could have written.
/// </summary>
public static class DemoHistory
{
    /// <summary>
    /// The events in time order, lazily (a million events never sit in memory at once). Each stream's events
    /// come in version order; the events of one command are adjacent and share a command id.
    /// </summary>
    public static IEnumerable<DemoEvent> Generate(DemoOptions? options = null) => new DemoGenerator(options ?? DemoOptions.Small).Run();

    /// <summary>
    /// Appends the history through Marten, one transaction per command with its user, correlation id and
    /// causation id (the command id), as the command services do. Meant for an empty event store: a stream
    /// that already exists makes Marten refuse the command that would start it again.
    /// </summary>
    public static async Task<DemoSeedSummary> SeedAsync(IDocumentStore store, DemoOptions? options = null, CancellationToken ct = default)
    {
        int events = 0, commands = 0, wallets = 0, jobs = 0, acls = 0;
        DateTimeOffset? from = null, to = null;
        var batch = new List<DemoEvent>();

        async Task FlushAsync()
        {
            if (batch.Count == 0) return;
            await using var session = store.LightweightSession();
            session.LastModifiedBy = batch[0].UserName;
            session.CorrelationId = batch[0].CorrelationId;
            session.CausationId = batch[0].CommandId.ToString();
            foreach (var stream in batch.GroupBy(e => e.StreamId))
            {
                var first = stream.First();
                var data = stream.Select(e => e.Data).ToArray();
                if (first.StartsStream) session.Events.StartStream(first.StreamType, first.StreamId, data);
                else session.Events.Append(first.StreamId, stream.Last().Version, data);
            }
            await session.SaveChangesAsync(ct);
            commands++;
            batch.Clear();
        }

        foreach (var e in Generate(options))
        {
            if (batch.Count > 0 && batch[0].CommandId != e.CommandId) await FlushAsync();
            batch.Add(e);
            events++;
            from ??= e.At;
            to = e.At;
            if (e.StartsStream)
            {
                if (e.StreamType == typeof(Wallet)) wallets++;
                else if (e.StreamType == typeof(Job)) jobs++;
                else if (e.StreamType == typeof(AccessControlList)) acls++;
            }
        }
        await FlushAsync();
        return new DemoSeedSummary(events, commands, wallets, jobs, acls, from, to);
    }
}
