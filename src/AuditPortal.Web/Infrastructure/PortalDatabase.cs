using AuditPortal.Core.Database;

namespace AuditPortal.Web.Infrastructure;

/// <summary>
/// The database the portal uses: ConnectionStrings:Marten when configured, otherwise a private PostgreSQL
/// cluster started from the machine's binaries (kept in Database:EmbeddedDataDirectory, stopped with the host).
/// </summary>
public sealed class PortalDatabase : IDisposable
{
    private readonly EmbeddedPostgres? _embedded;

    public PortalDatabase(IConfiguration configuration, IHostEnvironment environment, ILogger<PortalDatabase> logger)
    {
        var configured = configuration.GetConnectionString("Marten");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            ConnectionString = configured;
            return;
        }

        var folder = configuration["Database:EmbeddedDataDirectory"];
        if (string.IsNullOrWhiteSpace(folder))
            folder = Path.Combine(FindRepositoryRoot(environment.ContentRootPath), ".data", "postgres");
        var database = configuration["Database:EmbeddedDatabaseName"] is { Length: > 0 } name ? name : "auditportal";

        _embedded = EmbeddedPostgres.Start(folder, configuration["Database:PostgresBinDirectory"]);
        _embedded.EnsureDatabaseAsync(database).GetAwaiter().GetResult();
        ConnectionString = _embedded.ConnectionString(database);
        IsEmbedded = true;
        logger.LogInformation("Embedded PostgreSQL on 127.0.0.1:{Port}, data in {Folder}", _embedded.Port, _embedded.DataDirectory);
    }

    public string ConnectionString { get; }
    public bool IsEmbedded { get; }

    public void Dispose() => _embedded?.Dispose();

    private static string FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AuditPortal.sln"))) return dir.FullName;
        }
        return start;
    }
}
