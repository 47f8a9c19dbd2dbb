namespace AuditPortal.Web.Components.Shared;

/// <summary>
/// Text a user typed but has not sent, per circuit, by a key the form chooses (e.g. "wallet/{id}/grant/reason").
/// <see cref="DraftKeeper"/> persists it with the circuit's state (.NET 10 circuit pause) and restores it when the page
/// resumes, on this node or another; forms read it when they appear, whenever their data finishes loading.
/// Used on the circuit's dispatcher only.
/// </summary>
public sealed class Drafts
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public string? Get(string key) => _values.GetValueOrDefault(key);

    public void Set(string key, string? value)
    {
        if (string.IsNullOrEmpty(value)) _values.Remove(key);
        else _values[key] = value;
    }

    internal void Restore(IReadOnlyDictionary<string, string> values)
    {
        foreach (var (key, value) in values) _values.TryAdd(key, value);
    }

    internal Dictionary<string, string> Snapshot() => new(_values, StringComparer.Ordinal);
}
