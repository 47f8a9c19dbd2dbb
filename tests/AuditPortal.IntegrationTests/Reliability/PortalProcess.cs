using System.Diagnostics;

namespace AuditPortal.IntegrationTests.Reliability;

/// <summary>The portal's own build output run as a process (a CLI verb), on a test database.</summary>
internal static class PortalProcess
{
    public static string Path { get; } = System.IO.Path.GetFullPath(System.IO.Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "AuditPortal.Web",
        "bin", new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0", "AuditPortal.Web.dll"));

    public static Process Start(string connection, params string[] args) => Start(connection, new Dictionary<string, string>(), args);

    /// <summary>As <see cref="Start(string, string[])"/> with more settings as environment variables (ASPNETCORE_ENVIRONMENT, Section__Key).</summary>
    public static Process Start(string connection, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        Assert.True(File.Exists(Path), $"{Path} is missing: build src/AuditPortal.Web first (dotnet test AuditPortal.sln does).");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["ConnectionStrings__Marten"] = new Npgsql.NpgsqlConnectionStringBuilder(connection) { ApplicationName = "rebuild-child" }.ConnectionString;
        psi.Environment["Integrity__SealEvents"] = "false";
        // The key the tests' databases were built with (Development would generate one of its own under .data/).
        psi.Environment["Integrity__EventKey"] = Convert.ToBase64String(ReliabilityHost.EventKey);
        foreach (var (key, value) in environment) psi.Environment[key] = value;
        return Process.Start(psi)!;
    }
}
