namespace AuditPortal.Web.Infrastructure.Auth;

/// <summary>
/// Settings that are fine on a developer's machine and dangerous anywhere else. Outside Development the portal
/// refuses to start while any of them holds, and says which in one line each.
/// </summary>
public static class StartupSafety
{
    public const string KeyDirectoryKey = "DataProtection:KeyDirectory";
    public const string KeyCertificateKey = "DataProtection:CertificatePath";
    public const string KeyCertificatePasswordKey = "DataProtection:CertificatePassword";

    public static IReadOnlyList<string> Problems(IConfiguration configuration, IHostEnvironment environment)
    {
        if (environment.IsDevelopment()) return [];
        var problems = new List<string>();
        if (bool.TryParse(configuration["Auth:DemoAccounts"], out var demo) && demo)
            problems.Add("Auth:DemoAccounts is true: the demo accounts (password 'demo') are for Development only; remove the setting.");
        foreach (var name in configuration.GetSection("Auth:Users").GetChildren().Select(c => c.Key))
        {
            if (name.Equals("admin", StringComparison.OrdinalIgnoreCase))
                problems.Add("Auth:Users has an account named 'admin': name a person, not the default.");
        }
        var bootstrap = configuration["Portal:BootstrapAdmin"];
        if (string.IsNullOrWhiteSpace(bootstrap) || bootstrap.Trim().Equals("admin", StringComparison.OrdinalIgnoreCase))
            problems.Add("Portal:BootstrapAdmin is missing or the default 'admin': set it to the user name of a real administrator.");
        if (string.IsNullOrWhiteSpace(configuration[KeyDirectoryKey]))
            problems.Add($"{KeyDirectoryKey} is not set: sign-in cookies and antiforgery tokens need a persistent, private key folder (else every restart signs everyone out and keys may land somewhere shared).");
        if (string.IsNullOrWhiteSpace(configuration[KeyCertificateKey]))
            problems.Add($"{KeyCertificateKey} is not set: the key folder's keys would be stored unencrypted; name a PKCS#12 (.pfx) certificate to encrypt them at rest ({KeyCertificatePasswordKey} from the environment).");
        if (bool.TryParse(configuration["Auth:OpenIdConnect:RequireHttpsMetadata"], out var httpsMetadata) && !httpsMetadata)
            problems.Add("Auth:OpenIdConnect:RequireHttpsMetadata is false: the identity provider's metadata and keys must come over https outside Development; remove the setting.");
        return problems;
    }
}
