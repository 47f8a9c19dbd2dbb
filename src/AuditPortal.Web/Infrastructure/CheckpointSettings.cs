using System.Security.Cryptography;

namespace AuditPortal.Web.Infrastructure;

/// <summary>
/// The checkpoint keys and file. Integrity:CheckpointSigningKey (ECDSA P-256 private key, PEM text or the path of a
/// PEM file) only on the node that publishes checkpoints; Integrity:CheckpointPublicKey (PEM) wherever checkpoints are
/// verified (derived from the signing key when only that is given; both given must be a pair). Neither is ever in the
/// repository; in Development only, a pair is generated once under .data/ (checkpoint-signing.pem, checkpoint-public.pem).
/// Integrity:CheckpointFile defaults to .data/checkpoints.jsonl for the embedded development database and to none
/// (log only) elsewhere.
/// </summary>
public sealed record CheckpointSettings(ECDsa? SigningKey, ECDsa? PublicKey, string? File) : IDisposable
{
    public const string SigningKeySetting = "Integrity:CheckpointSigningKey";
    public const string PublicKeySetting = "Integrity:CheckpointPublicKey";

    public static CheckpointSettings Resolve(IConfiguration configuration, IHostEnvironment environment, bool createDevelopmentKey)
    {
        var dataFolder = DataFolder(environment);
        var file = configuration["Integrity:CheckpointFile"] is { Length: > 0 } f ? f
            // The default file belongs to the embedded development database; test hosts on databases of their own log only.
            : environment.IsDevelopment() && string.IsNullOrWhiteSpace(configuration.GetConnectionString("Marten")) ? Path.Combine(dataFolder, "checkpoints.jsonl") : null;
        var signingText = configuration[SigningKeySetting];
        var publicText = configuration[PublicKeySetting];
        if (string.IsNullOrWhiteSpace(signingText) && string.IsNullOrWhiteSpace(publicText) && environment.IsDevelopment())
        {
            var signingFile = Path.Combine(dataFolder, "checkpoint-signing.pem");
            var publicFile = Path.Combine(dataFolder, "checkpoint-public.pem");
            if (!System.IO.File.Exists(signingFile))
            {
                if (!createDevelopmentKey) return new(null, null, file);
                Directory.CreateDirectory(dataFolder);
                var (privatePem, publicPem) = CheckpointKeys.Create();
                System.IO.File.WriteAllText(signingFile, privatePem);
                if (!OperatingSystem.IsWindows()) System.IO.File.SetUnixFileMode(signingFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                System.IO.File.WriteAllText(publicFile, publicPem);
            }
            (signingText, publicText) = (signingFile, System.IO.File.Exists(publicFile) ? publicFile : null);
        }
        var signing = string.IsNullOrWhiteSpace(signingText) ? null : CheckpointKeys.Load(signingText, SigningKeySetting, privateKey: true);
        var verifying = string.IsNullOrWhiteSpace(publicText) ? null : CheckpointKeys.Load(publicText, PublicKeySetting, privateKey: false);
        if (signing is not null && verifying is not null && !CheckpointKeys.ArePair(signing, verifying))
            throw new FormatException($"{PublicKeySetting} is not the public half of {SigningKeySetting}.");
        return new(signing, verifying ?? (signing is null ? null : CheckpointKeys.PublicOf(signing)), file);
    }

    public void Dispose()
    {
        SigningKey?.Dispose();
        PublicKey?.Dispose();
    }

    internal static string DataFolder(IHostEnvironment environment) => Path.Combine(FindRepositoryRoot(environment.ContentRootPath), ".data");

    private static string FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "AuditPortal.sln"))) return dir.FullName;
        }
        return start;
    }
}
