using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
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

/// <summary>A page of a list that the previous version may answer while a new one is built (<see cref="PreviousReadModels.ReadAsync"/>).</summary>
/// <param name="Previous">Set when the previous version of the read models answered (a new version is being built).</param>
public abstract record ListPage(PreviousVersion? Previous);

/// <summary>
/// Serves reads from <c>&lt;schema&gt;_previous</c> (see <see cref="ReadModelUpgrade"/>) while a new version of the read
/// models is built beside it. The previous tables hold every document whole as JSON in <c>data</c>, so a second,
/// query-only Marten store over that schema, without duplicated columns or indexes, reads them into the current types:
/// added fields come back empty, renamed ones too, and <see cref="PreviousVersion.MissingFields"/> names both.
/// A singleton of the host's services (<see cref="PortalMartenRegistration.AddPortalMarten"/>), over the host's store;
/// the documents it reads are the catalog's (<see cref="ReadModelEntry.PreviousServes"/>).
/// </summary>
public sealed class PreviousReadModels : IDisposable
{
    private readonly IDocumentStore _current;
    private readonly Lazy<DocumentStore> _previous;
    // The previous version is frozen (no projection writes it), so what it lacks is computed once per type.
    private readonly ConcurrentDictionary<Type, Task<IReadOnlySet<string>>> _missing = new();

    public PreviousReadModels(IDocumentStore current)
    {
        _current = current;
        _previous = new Lazy<DocumentStore>(() => DocumentStore.For(o =>
        {
            o.Connection(((Weasel.Postgresql.PostgresqlDatabase)current.Storage.Database).DataSource);
            o.DatabaseSchemaName = ReadModelUpgrade.PreviousSchema(current.Options.DatabaseSchemaName);
            // Read only: never create or change anything in the previous version.
            o.AutoCreateSchemaObjects = AutoCreate.None;
            o.Serializer(current.Options.Serializer());
            // Without duplicated columns or indexes: its SQL reads only id and data.
            foreach (var document in Documents) o.RegisterDocumentType(document);
        }));
    }

    /// <summary>The documents this reader answers for (the catalog's entries served by the previous version).</summary>
    public static IReadOnlyList<Type> Documents { get; } = ReadModelCatalog.PreviousDocuments();

    public void Dispose()
    {
        if (_previous.IsValueCreated) _previous.Value.Dispose();
    }

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
    public async Task<TPage> ReadAsync<TDocument, TPage>(IQuerySession session, Func<IQuerySession, Task<TPage>> read, CancellationToken ct)
        where TPage : ListPage
    {
        if (await ServingAsync<TDocument>(session, ct) is { } version)
        {
            try
            {
                await using var old = QuerySession();
                return (TPage)(await read(old) with { Previous = version });
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
        var table = $"{ReadModelUpgrade.PreviousSchema(_current.Options.DatabaseSchemaName)}.{_current.Options.FindOrResolveDocumentType(type).TableName.Name}";
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
