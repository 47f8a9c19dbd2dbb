namespace AuditPortal.Web.Infrastructure;

/// <summary>
/// The database the portal uses: ConnectionStrings:Marten (runtime role) and optionally
/// ConnectionStrings:MartenMigrations (the role that owns the schema, used only by the apply step) when configured;
/// otherwise a private PostgreSQL cluster started from the machine's binaries (kept in Database:EmbeddedDataDirectory,
/// stopped with the host) with both roles created in it, so that the running portal cannot rewrite its events.
/// </summary>
public sealed class PortalDatabase : IDisposable
{
    private readonly EmbeddedPostgres? _embedded;

    /// <summary>The schema of the portal's tables: Database:Schema, or the default. Read here only.</summary>
    public static string SchemaOf(IConfiguration configuration) =>
        configuration["Database:Schema"] is { Length: > 0 } schema ? schema : AuditPortal.Core.Store.PortalStoreSettings.DefaultSchemaName;

    /// <summary>
    /// Whether the portal applies the schema itself when it starts: in Development and on the embedded database.
    /// Elsewhere the apply step runs on its own (`apply-schema`) before the nodes start, and a node only checks that
    /// its role cannot rewrite events (<see cref="SeparationOfDuties"/>).
    /// </summary>
    public static bool AppliesSchemaAtStartup(IConfiguration configuration, IHostEnvironment environment) =>
        environment.IsDevelopment() || string.IsNullOrWhiteSpace(configuration.GetConnectionString("Marten"));

    public PortalDatabase(IConfiguration configuration, IHostEnvironment environment, ILogger<PortalDatabase> logger)
    {
        AppliesSchema = AppliesSchemaAtStartup(configuration, environment);
        var configured = configuration.GetConnectionString("Marten");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            ConnectionString = configured;
            MigrationConnectionString = configuration.GetConnectionString("MartenMigrations") is { Length: > 0 } migrations ? migrations : null;
            return;
        }

        var folder = configuration["Database:EmbeddedDataDirectory"];
        if (string.IsNullOrWhiteSpace(folder))
            folder = Path.Combine(FindRepositoryRoot(environment.ContentRootPath), ".data", "postgres");
        var database = configuration["Database:EmbeddedDatabaseName"] is { Length: > 0 } name ? name : "auditportal";

        _embedded = EmbeddedPostgres.Start(folder, configuration["Database:PostgresBinDirectory"]);
        _embedded.EnsureDatabaseAsync(database).GetAwaiter().GetResult();
        var superuser = _embedded.ConnectionString(database);
        var schema = SchemaOf(configuration);
        DatabaseRoles.EnsureAsync(superuser, schema, MigrationRole, RuntimeRole).GetAwaiter().GetResult();
        ConnectionString = DatabaseRoles.WithUser(superuser, RuntimeRole);
        MigrationConnectionString = DatabaseRoles.WithUser(superuser, MigrationRole);
        IsEmbedded = true;
        logger.LogInformation("Embedded PostgreSQL on 127.0.0.1:{Port}, data in {Folder}; runtime role {Runtime}, schema owner {Migration}",
            _embedded.Port, _embedded.DataDirectory, RuntimeRole, MigrationRole);
    }

    public const string RuntimeRole = "auditportal_app";
    public const string MigrationRole = "auditportal_migrator";

    /// <summary>The runtime role: reads and appends events, never rewrites them (when a migration role exists).</summary>
    public string ConnectionString { get; }

    /// <summary>The schema owner, used only by the apply step; null when one role does everything.</summary>
    public string? MigrationConnectionString { get; }
    public bool IsEmbedded { get; }
    /// <summary>See <see cref="AppliesSchemaAtStartup"/>.</summary>
    public bool AppliesSchema { get; }

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
