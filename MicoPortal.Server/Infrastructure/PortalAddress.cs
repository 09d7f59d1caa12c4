using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace MicoPortal.Server.Infrastructure;

/// <summary>
/// The portal's own first listening address, known only once Kestrel has bound (port 0 in tests).
/// The built-in sandbox is reached through it, and it is the default callback address.
/// </summary>
public sealed class PortalAddress(IServer server)
{
    private Uri? _cached;

    public Uri Root => _cached ??= Resolve() ?? throw new InvalidOperationException("The server is not listening yet.");

    private Uri? Resolve()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses;
        var first = addresses?.OrderBy(a => a.StartsWith("https", StringComparison.OrdinalIgnoreCase) ? 1 : 0).FirstOrDefault();
        if (first is null)
        {
            return null;
        }

        // Wildcard bindings (http://+:80, http://[::]:5080, http://0.0.0.0:5080) are not addresses one can call.
        var normalized = first.Replace("://+", "://localhost").Replace("://*", "://localhost")
            .Replace("://[::]", "://localhost").Replace("://0.0.0.0", "://localhost");
        return new Uri(normalized.TrimEnd('/') + "/");
    }
}
