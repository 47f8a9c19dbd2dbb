using AuditPortal.Core.AccessControl;

namespace AuditPortal.Web.Components.Shared;

/// <summary>
/// The one way a component handles a refusal by <see cref="PortalAccess"/> (<see cref="AccessDeniedException"/>: the
/// permission is missing, or was revoked while the page was open): the read or action comes back with the refusal's
/// message, which the component shows with <see cref="RefusedNotice"/> (or in its message area for a button), and
/// stops showing data. No component catches the exception itself; every other failure propagates as before.
/// Loads through <see cref="LiveRefresh.LoadAsync{T}"/> get the same message from <see cref="MessageOf"/>.
/// </summary>
public static class Refusals
{
    /// <summary>What a read gave: its value, or the message of its refusal (then the value is default).</summary>
    public readonly record struct Outcome<T>(T? Value, string? Refused)
    {
        public bool IsRefused => Refused is not null;
    }

    /// <summary>Runs a read; a refusal comes back as its message instead of an exception.</summary>
    public static async Task<Outcome<T>> ReadAsync<T>(Func<Task<T>> read)
    {
        try
        {
            return new(await read(), null);
        }
        catch (AccessDeniedException e)
        {
            return new(default, e.Message);
        }
    }

    /// <summary>Runs a button's action; the message of its refusal, or null when it was allowed.</summary>
    public static async Task<string?> RunAsync(Func<Task> action)
    {
        try
        {
            await action();
            return null;
        }
        catch (AccessDeniedException e)
        {
            return e.Message;
        }
    }

    /// <summary>The refusal's message when <paramref name="failure"/> is a refusal; null for any other failure.</summary>
    public static string? MessageOf(Exception failure) => failure is AccessDeniedException e ? e.Message : null;
}
