using JasperFx.CommandLine;
using Microsoft.AspNetCore.Identity;

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
        if (string.IsNullOrEmpty(password))
        {
            Console.Error.WriteLine("No password given; nothing printed.");
            return false;
        }
        Console.WriteLine($"\"Auth\": {{ \"Users\": {{ \"{input.UserName}\": {{ \"PasswordHash\": \"{new PasswordHasher<string>().HashPassword(input.UserName, password)}\" }} }} }}");
        return true;
    }

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
