using Microsoft.AspNetCore.Components;

namespace AuditPortal.Web.Components.Shared;

/// <summary>
/// Keeps a list page and its address in step without losing what the user typed: the page writes each new state into
/// the address (replacing the entry: filtering is not a step to go back to), and applies a supplied address only when
/// it is not one of its own writes coming back (opened from a link, reloaded, back/forward, or the menu).
/// </summary>
public sealed class AddressSync(NavigationManager navigation, string path)
{
    // The query string last supplied by the address, and the ones this page wrote that have not come back yet: the
    // page's own writes never re-apply an older state over what the user has typed since.
    private string? _supplied;
    private readonly Queue<string> _written = new();

    /// <summary>True when <paramref name="supplied"/> is a new address the page must apply; false for the same one or its own write.</summary>
    public bool IsNew(string supplied)
    {
        if (supplied == _supplied) return false;
        _supplied = supplied;
        if (_written.Contains(supplied))
        {
            // One of this page's own writes arriving: the state already holds it, or something newer.
            while (_written.Dequeue() != supplied) { }
            return false;
        }
        _written.Clear();
        return true;
    }

    /// <summary>Puts <paramref name="query"/> into the address unless it is there (or on its way) already.</summary>
    public void Write(string query)
    {
        if (query == (_written.Count > 0 ? _written.Last() : _supplied)) return;
        _written.Enqueue(query);
        navigation.NavigateTo(path + query, replace: true);
    }
}
