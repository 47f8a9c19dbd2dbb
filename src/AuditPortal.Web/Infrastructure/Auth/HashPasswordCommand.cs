using JasperFx.CommandLine;

namespace AuditPortal.Web.Infrastructure.Auth;

public sealed class HashPasswordInput
{
    [Description("The user name the hash is for (Auth:Users:<name>)")]
    public string UserName { get; set; } = "";
}

/// <summary>`dotnet run --project src/AuditPortal.Web -- hash-password alice`: reads the password from standard input (never the command line, which shells keep in history).</summary>
[Description("Prints a password hash for Auth:Users:<name>:PasswordHash", Name = "hash-password")]
public sealed class HashPasswordCommand : JasperFxCommand<HashPasswordInput>
{
    public override bool Execute(HashPasswordInput input)
    {
        if (string.IsNullOrWhiteSpace(input.UserName) || AccountNames.IsReserved(input.UserName))
        {
            Console.Error.WriteLine("Give a user name without ':'.");
            return false;
        }
        Console.Error.Write("Password: ");
        var password = Console.IsInputRedirected ? Console.In.ReadLine() : ReadHidden();
        if (Problem(password) is { } problem)
        {
            Console.Error.WriteLine(problem + " Nothing printed.");
            return false;
        }
        Console.WriteLine(Json(input.UserName, password!));
        return true;
    }

    /// <summary>Shorter passwords are refused (NIST SP 800-63B asks at least 8; the portal guards audit data).</summary>
    public const int MinimumLength = 12;

    /// <summary>Why a password is refused, or null.</summary>
    public static string? Problem(string? password) =>
        string.IsNullOrEmpty(password) ? "No password given."
        : password.Length < MinimumLength ? $"A password needs at least {MinimumLength} characters."
        : null;

    /// <summary>A JSON object for appsettings (or appsettings.Local.json), hashed as the portal hashes (<see cref="PortalPasswordHasher"/>).</summary>
    public static string Json(string userName, string password) =>
        System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["Auth"] = new Dictionary<string, object>
            {
                ["Users"] = new Dictionary<string, object> { [userName] = new Dictionary<string, string> { ["PasswordHash"] = PortalPasswordHasher.Hash(password) } },
            },
        }, new System.Text.Json.JsonSerializerOptions { WriteIndented = true });

    private static string ReadHidden()
    {
        var chars = new List<char>();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace) { if (chars.Count > 0) chars.RemoveAt(chars.Count - 1); }
            else if (!char.IsControl(key.KeyChar)) chars.Add(key.KeyChar);
        }
        Console.Error.WriteLine();
        return new string([.. chars]);
    }
}
