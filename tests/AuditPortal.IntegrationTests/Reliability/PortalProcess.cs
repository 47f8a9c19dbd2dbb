namespace AuditPortal.IntegrationTests.Reliability;

/// <summary>The portal's own build output run as a process (a CLI verb), on a test database.</summary>
internal static class PortalProcess
{
    public static string Path => PortalExecutable.Path;

    public static Process Start(string connection, params string[] args) => Start(connection, new Dictionary<string, string>(), args);

    /// <summary>As <see cref="Start(string, string[])"/> with more settings as environment variables (ASPNETCORE_ENVIRONMENT, Section__Key).</summary>
    public static Process Start(string connection, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings__Marten"] = new Npgsql.NpgsqlConnectionStringBuilder(connection) { ApplicationName = "rebuild-child" }.ConnectionString,
            ["Integrity__SealEvents"] = "false",
            // The key the tests' databases were built with (Development would generate one of its own under .data/).
            ["Integrity__EventKey"] = Convert.ToBase64String(ReliabilityHost.EventKey),
        };
        foreach (var (key, value) in environment) settings[key] = value;
        return Process.Start(PortalExecutable.StartInfo(settings, args))!;
    }
}
