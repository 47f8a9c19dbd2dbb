using System.Net;

namespace AuditPortal.Web.Infrastructure.Auth;

/// <summary>
/// The unit a client is counted by (rate limits, sign-in failures): an IPv4 address, or an IPv6 /64, the smallest
/// network a site is usually given, so that one holder of a /64 cannot step through 2^64 addresses.
/// </summary>
public static class ClientNetwork
{
    public static string Of(IPAddress? address)
    {
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6) return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
