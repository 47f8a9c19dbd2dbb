using System.Diagnostics;

namespace AuditPortal.Tests.Shared;

/// <summary>The portal's own build output (src/AuditPortal.Web/bin/&lt;configuration&gt;/net10.0), run as a process of its own.</summary>
public static class PortalExecutable
{
    public static string Path { get; } = System.IO.Path.GetFullPath(System.IO.Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "AuditPortal.Web",
        "bin", new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0", "AuditPortal.Web.dll"));

    /// <summary><c>dotnet AuditPortal.Web.dll args</c> with output redirected and <paramref name="environment"/> (Section__Key) set.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<KeyValuePair<string, string>> environment, params string[] args)
    {
        if (!File.Exists(Path)) throw new FileNotFoundException($"{Path} is missing: build src/AuditPortal.Web first (dotnet test AuditPortal.sln does).", Path);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (key, value) in environment) psi.Environment[key] = value;
        return psi;
    }
}
