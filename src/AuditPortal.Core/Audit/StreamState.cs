using AuditPortal.Core.Database;
using System.Text.Json;
using AuditPortal.Core.AccessControl;
using AuditPortal.Core.Common;
using AuditPortal.Core.Jobs;
using AuditPortal.Core.Wallets;
using Marten;
using Npgsql;
using NpgsqlTypes;

namespace AuditPortal.Core.Audit;

/// <summary>A top-level property of the aggregate that the event changed; values as compact JSON (lists as values).</summary>
public sealed record StateChange(string Property, string? Before, string? After);

/// <summary>The aggregate as it was right after one event, and what that event changed.</summary>
public sealed record StreamStateAt(
    Guid StreamId, string StreamType, string AggregateName, long Version, long StreamVersion, string StateJson, IReadOnlyList<StateChange> Changes);

/// <summary>The as-of-state view of a stream's timeline; lets the view be rendered without a database in component tests.</summary>
public interface IStreamStateReads
{
    /// <summary>The state right after <paramref name="version"/>; throws <see cref="AccessDeniedException"/> when the caller may not read the stream.</summary>
    Task<StreamStateAt?> StateAtAsync(Guid streamId, long version, CancellationToken ct = default);
}

/// <summary>
/// Folds a stream's aggregate (chosen by its stream type) up to a version with Marten's AggregateStreamAsync, and
/// compares it with the state one event earlier, property by property, through the store's own serializer.
/// The caller is checked at the moment of each call, against the portal's list: ReadAudit reads every stream,
/// otherwise the stream type's own read permission (a wallet's state needs ReadWallets, and so on).
/// </summary>
public sealed class StreamStateQueries(IDocumentStore store, ICurrentActor caller) : IStreamStateReads, IPortalReads
{
    public async Task<StreamStateAt?> StateAtAsync(Guid streamId, long version, CancellationToken ct = default)
    {
        await using var session = store.QuerySession();
        // Refused before anything about the stream is read when the caller can read no stream at all.
        await PortalAccess.DemandAsync(session, caller, $"audit:stream:{streamId}", ct, Permission.ReadAudit, Permission.ReadWallets, Permission.ReadJobs, Permission.EditAccessControl);
        if (version < 1) return null;
        var (streamType, streamVersion) = await StreamAsync(streamId, ct);
        if (streamType is null || version > streamVersion) return null;
        var known = AuditTypeNames.StreamOf(streamType);
        switch (known)
        {
            case AuditTypeNames.Wallet: await PortalAccess.DemandAsync(session, caller, $"audit:stream:{streamId}", ct, Permission.ReadAudit, Permission.ReadWallets); break;
            case AuditTypeNames.Job: await PortalAccess.DemandAsync(session, caller, $"audit:stream:{streamId}", ct, Permission.ReadAudit, Permission.ReadJobs); break;
            case AuditTypeNames.AccessControlList: await PortalAccess.DemandAsync(session, caller, $"audit:stream:{streamId}", ct, Permission.ReadAudit, Permission.EditAccessControl); break;
            default: await PortalAccess.DemandAsync(session, caller, $"audit:stream:{streamId}", ct, Permission.ReadAudit); break;
        }

        var (name, before, after) = known switch
        {
            AuditTypeNames.Wallet => ("Wallet", await FoldAsync<Wallet>(session, streamId, version - 1, ct), await FoldAsync<Wallet>(session, streamId, version, ct)),
            AuditTypeNames.Job => ("Job", await FoldAsync<Job>(session, streamId, version - 1, ct), await FoldAsync<Job>(session, streamId, version, ct)),
            AuditTypeNames.AccessControlList => ("AccessControlList",
                await FoldAsync<AccessControlList>(session, streamId, version - 1, ct), await FoldAsync<AccessControlList>(session, streamId, version, ct)),
            AuditTypeNames.AuditLog => ("AuditLog", await FoldAsync<AuditLog>(session, streamId, version - 1, ct), await FoldAsync<AuditLog>(session, streamId, version, ct)),
            _ => ("", null, null),
        };
        if (name.Length == 0) return null;

        var serializer = store.Options.Serializer();
        var beforeJson = before is null ? null : serializer.ToJson(before);
        var afterJson = after is null ? "null" : serializer.ToJson(after);
        return new StreamStateAt(streamId, streamType, name, version, streamVersion, AuditFeed.PrettyJson(afterJson), Diff(beforeJson, afterJson));
    }

    /// <summary>Top-level properties whose JSON differs; a property missing on one side shows as null there.</summary>
    public static IReadOnlyList<StateChange> Diff(string? beforeJson, string? afterJson)
    {
        var before = Properties(beforeJson);
        var after = Properties(afterJson);
        var changes = new List<StateChange>();
        foreach (var name in before.Keys.Union(after.Keys))
        {
            before.TryGetValue(name, out var b);
            after.TryGetValue(name, out var a);
            if (b != a) changes.Add(new StateChange(name, b, a));
        }
        return changes;
    }

    private static Dictionary<string, string> Properties(string? json)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(json)) return result;
        using var doc = JsonDocument.Parse(json);
        if (doc.RootElement.ValueKind != JsonValueKind.Object) return result;
        foreach (var p in doc.RootElement.EnumerateObject())
            result[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
        return result;
    }

    private static async Task<object?> FoldAsync<T>(IQuerySession session, Guid streamId, long version, CancellationToken ct) where T : class =>
        version < 1 ? null : await session.Events.AggregateStreamAsync<T>(streamId, version, token: ct);

    private async Task<(string? Type, long Version)> StreamAsync(Guid streamId, CancellationToken ct)
    {
        await using var conn = await store.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand($"select type, version from {store.Options.Events.DatabaseSchemaName}.mt_streams where id = @id", conn);
        cmd.Parameters.Add(new NpgsqlParameter<Guid>("id", NpgsqlDbType.Uuid) { TypedValue = streamId });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return (null, 0);
        return (reader.IsDBNull(0) ? "" : reader.GetString(0), reader.GetInt64(1));
    }
}
