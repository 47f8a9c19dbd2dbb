using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using JasperFx;

namespace AuditPortal.Core.Projections;

/// <summary>A read answered by the previous version of the read models while the new version is being built.</summary>
/// <param name="MissingFields">
/// Properties of the current read-model type that the previous version did not record (added or renamed since):
/// their values in the answer are defaults, not data, so pages show "—" for them and a filter on them matches nothing.
/// </param>
public sealed record PreviousVersion(IReadOnlySet<string> MissingFields)
{
    public bool Lacks(string property) => MissingFields.Contains(property);
}

/// <summary>
/// Serves reads from <c>&lt;schema&gt;_previous</c> (see <see cref="ReadModelUpgrade"/>) while a new version of the read
/// models is built beside it. The previous tables hold every document whole as JSON in <c>data</c>, so a second,
/// query-only Marten store over that schema, without duplicated columns or indexes, reads them into the current types:
/// added fields come back empty, renamed ones too, and <see cref="PreviousVersion.MissingFields"/> names both.
/// One instance per store (<see cref="For"/>), so the read services need no new wiring.
/// </summary>
public sealed class PreviousReadModels
{
    private static readonly ConditionalWeakTable<IDocumentStore, PreviousReadModels> PerStore = new();

    private readonly IDocumentStore _current;
    private readonly Lazy<DocumentStore> _previous;
    // The previous version is frozen (no projection writes it), so what it lacks is computed once per type.
    private readonly ConcurrentDictionary<Type, Task<IReadOnlySet<string>>> _missing = new();

    private PreviousReadModels(IDocumentStore current)
    {
        _current = current;
        _previous = new Lazy<DocumentStore>(() => DocumentStore.For(o =>
        {
            o.Connection(((Weasel.Postgresql.PostgresqlDatabase)current.Storage.Database).DataSource);
            o.DatabaseSchemaName = ReadModelUpgrade.PreviousSchema(current.Options.DatabaseSchemaName);
            // Read only: never create or change anything in the previous version.
            o.AutoCreateSchemaObjects = AutoCreate.None;
            o.Serializer(current.Options.Serializer());
            o.Schema.For<WalletSummary>();
            o.Schema.For<JobOwnerView>();
            o.Schema.For<JobParticipantView>();
        }));
    }

    public static PreviousReadModels For(IDocumentStore store) => PerStore.GetValue(store, s => new PreviousReadModels(s));

    /// <summary>
    /// The previous version when it still answers reads (a new version is being built), else null. One catalog read
    /// on the caller's session; the switch (<see cref="ReadModelUpgrade.SwitchWhenCaughtUpAsync"/>) ends it for every node at once.
    /// </summary>
    public async Task<PreviousVersion?> ServingAsync<T>(IQuerySession session, CancellationToken ct)
    {
        if (!await ReadModelUpgrade.PreviousIsServingAsync(session, ct)) return null;
        return new PreviousVersion(await _missing.GetOrAdd(typeof(T), t => MissingFieldsAsync(t, CancellationToken.None)).WaitAsync(ct));
    }

    /// <summary>A query session on the previous version's tables.</summary>
    public IQuerySession QuerySession() => _previous.Value.QuerySession();

    /// <summary>
    /// A list read while a new version is built: <paramref name="read"/> runs on the previous version's tables and its
    /// answer is marked with that version; otherwise, or when the previous version vanished under the read (switched
    /// and dropped by another node), it runs on <paramref name="session"/>, the current version.
    /// </summary>
    public async Task<TPage> ReadAsync<TDocument, TPage>(IQuerySession session, Func<IQuerySession, Task<TPage>> read,
        Func<TPage, PreviousVersion, TPage> mark, CancellationToken ct)
    {
        if (await ServingAsync<TDocument>(session, ct) is { } version)
        {
            try
            {
                await using var old = QuerySession();
                return mark(await read(old), version);
            }
            catch (Exception e) when (IsGone(e))
            {
                // Switched meanwhile: the new version is complete.
            }
        }
        return await read(session);
    }

    /// <summary>
    /// The previous version vanished under a read (another node switched and dropped it): the read is answered by
    /// the current version instead.
    /// </summary>
    public static bool IsGone(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            if (x is PostgresException { SqlState: PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName }) return true;
        return false;
    }

    private async Task<IReadOnlySet<string>> MissingFieldsAsync(Type type, CancellationToken ct)
    {
        var table = $"{ReadModelUpgrade.PreviousSchema(_current.Options.DatabaseSchemaName)}.mt_doc_{type.Name.ToLowerInvariant()}";
        await using var session = _current.QuerySession();
        IReadOnlyList<string> keys;
        try
        {
            // Every document of a version is written by the same code: a sample of rows shows its properties.
            keys = await session.QueryAsync<string>(
                $"select distinct k from (select data from {table} limit 100) s, jsonb_object_keys(s.data) k", ct);
        }
        catch (Exception e) when (IsGone(e))
        {
            return new HashSet<string>();
        }
        if (keys.Count == 0) return new HashSet<string>();
        var present = keys.ToHashSet(StringComparer.Ordinal);
        // The store writes camelCase property names (PortalStore: Casing.CamelCase).
        return type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && !present.Contains(JsonNamingPolicy.CamelCase.ConvertName(p.Name)))
            .Select(p => p.Name)
            .ToHashSet(StringComparer.Ordinal);
    }
}
