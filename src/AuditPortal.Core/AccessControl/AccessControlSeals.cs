using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using JasperFx.Events;
using Marten;
using Marten.Services;

namespace AuditPortal.Core.AccessControl;

/// <summary>
/// Authorization rests on access-control events, and the runtime database role can append events: someone holding
/// that role could append a <see cref="PermissionGranted"/> to themselves. So every access-control event the portal
/// writes carries a seal in its headers, an HMAC-SHA256 of its stream id, event id, type and body under a key the
/// database never holds (Integrity:CheckpointKey), and the permission check (<see cref="AccessControlFromEvents"/>)
/// folds only sealed events. A copy of a genuine event needs a new event id (ids are unique), which breaks its seal.
/// Without a key nothing is sealed or checked (the portal warns at startup).
/// </summary>
public sealed class AccessControlSeals(byte[] key)
{
    public const string Header = "acl-seal";

    private static readonly ConditionalWeakTable<object, AccessControlSeals> ByStore = new();

    /// <summary>The seals of the store configured with these options (<see cref="Register"/>), or null when there is no key.</summary>
    public static AccessControlSeals? For(IDocumentStore store) => ByStore.TryGetValue(store.Options, out var seals) ? seals : null;

    /// <summary>Seals every access-control event saved through stores built from <paramref name="opts"/>.</summary>
    public static void Register(StoreOptions opts, byte[]? key)
    {
        if (key is not { Length: > 0 }) return;
        var seals = new AccessControlSeals(key);
        ByStore.AddOrUpdate(opts, seals);
        opts.Listeners.Add(new SealListener(seals, opts));
    }

    /// <summary>A key of its own for the seals, derived from <paramref name="secret"/> (e.g. the checkpoint key); null stays null.</summary>
    public static byte[]? DeriveKey(byte[]? secret) =>
        secret is { Length: > 0 } ? HMACSHA256.HashData(secret, "auditportal:access-control-seals"u8) : null;

    public static bool Covers(object data) => data is AccessControlListCreated or PermissionGranted or PermissionRevoked;

    public string Compute(Guid streamId, Guid eventId, object data, ISerializer serializer)
    {
        var text = $"{streamId:N}|{eventId:N}|{data.GetType().Name}|{serializer.ToJson(data)}";
        return Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>True when the event carries the seal the portal would have written for it.</summary>
    public bool IsSealed(IEvent e, ISerializer serializer)
    {
        if (e.Headers?.TryGetValue(Header, out var value) != true || value?.ToString() is not { Length: > 0 } seal) return false;
        var expected = Convert.FromBase64String(Compute(e.StreamId, e.Id, e.Data, serializer));
        Span<byte> actual = stackalloc byte[32];
        return Convert.TryFromBase64String(seal, actual, out var written) && written == expected.Length
            && CryptographicOperations.FixedTimeEquals(actual[..written], expected);
    }

    /// <summary>Stamps the seal on each access-control event of a session just before it is saved.</summary>
    private sealed class SealListener(AccessControlSeals seals, StoreOptions opts) : DocumentSessionListenerBase
    {
        public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
        {
            var serializer = opts.Serializer();
            foreach (var stream in session.PendingChanges.Streams())
            foreach (var e in stream.Events.Where(e => Covers(e.Data)))
                e.SetHeader(Header, seals.Compute(stream.Id, e.Id, e.Data, serializer));
            return Task.CompletedTask;
        }
    }
}
