using System.Security.Cryptography;

namespace AuditPortal.Web.Infrastructure;

/// <summary>
/// Integrity:EventKey (base64 or hex, at least 32 bytes), the key every event is bound with (<see cref="EventBinding"/>):
/// from configuration, never the repository, and the same on every node and for the apply step. Separate from the
/// checkpoint key: a verifier of checkpoints must not be able to bind events. In Development only, a key is
/// generated once under .data/ (as the checkpoint key is). Null outside Development when unset: the portal refuses to start.
/// </summary>
public static class EventKeySettings
{
    public static byte[]? Resolve(IConfiguration configuration, IHostEnvironment environment)
    {
        if (configuration[EventBinding.Setting] is { Length: > 0 } configured) return EventBinding.ParseKey(configured);
        if (!environment.IsDevelopment()) return null;
        var dataFolder = CheckpointSettings.DataFolder(environment);
        var keyFile = Path.Combine(dataFolder, "event.key");
        if (!File.Exists(keyFile))
        {
            Directory.CreateDirectory(dataFolder);
            File.WriteAllText(keyFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return EventBinding.ParseKey(File.ReadAllText(keyFile));
    }
}
