using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;

namespace AuditPortal.Web.Infrastructure.Auth;

/// <summary>
/// Password hashes at OWASP's current PBKDF2 work factor (PBKDF2-HMAC-SHA256, 600,000 iterations, 2023 cheat sheet),
/// written in ASP.NET Core Identity's V3 layout so that any V3 or V2 hash made earlier (Identity's defaults: 10,000 or
/// 100,000 iterations) still verifies: the layout carries its own PRF and iteration count. Verification is Identity's
/// own code; only the parameters of new hashes are chosen here.
/// </summary>
public static class PortalPasswordHasher
{
    public const int Iterations = 600_000;
    private const byte FormatV3 = 0x01;
    private const uint PrfSha256 = 1; // Identity's KeyDerivationPrf.HMACSHA256
    private const int SaltBytes = 16;
    private const int SubkeyBytes = 32;

    private static readonly PasswordHasher<string> Identity = new();

    public static string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var subkey = Rfc2898DeriveBytes.Pbkdf2(password, salt, Iterations, HashAlgorithmName.SHA256, SubkeyBytes);
        var output = new byte[13 + SaltBytes + SubkeyBytes];
        output[0] = FormatV3;
        BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(1), PrfSha256);
        BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(5), Iterations);
        BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(9), SaltBytes);
        salt.CopyTo(output, 13);
        subkey.CopyTo(output, 13 + SaltBytes);
        return Convert.ToBase64String(output);
    }

    public static bool Verify(string hash, string password)
    {
        try
        {
            return Identity.VerifyHashedPassword("", hash, password) != PasswordVerificationResult.Failed;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// A hash below the current factor (V2, SHA-1, or fewer iterations). Configured hashes live in configuration the
    /// portal cannot rewrite, so such an account is named in a startup warning until its hash is made again.
    /// </summary>
    public static bool IsBelowCurrentFactor(string hash)
    {
        Span<byte> bytes = stackalloc byte[hash.Length];
        if (!Convert.TryFromBase64String(hash, bytes, out var length) || length < 13 || bytes[0] != FormatV3) return true;
        var prf = BinaryPrimitives.ReadUInt32BigEndian(bytes[1..]);
        var iterations = BinaryPrimitives.ReadUInt32BigEndian(bytes[5..]);
        // SHA-512 at OWASP's 210,000 is as strong as SHA-256 at 600,000.
        return prf switch
        {
            PrfSha256 => iterations < Iterations,
            2 => iterations < 210_000,
            _ => true,
        };
    }
}
