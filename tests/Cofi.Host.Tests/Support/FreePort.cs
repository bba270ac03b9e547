using System.Net;
using System.Net.Sockets;

namespace Cofi.Host.Tests.Support;

public static class FreePort
{
    /// <summary>A loopback TCP port that was free a moment ago, for a child process that needs a fixed port.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
