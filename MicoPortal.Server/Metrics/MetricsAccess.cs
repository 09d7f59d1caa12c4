using System.Net;
using MicoPortal.Server.Infrastructure;
using MicoPortal.Shared.Auth;
using MicoPortal.Shared.Common;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Metrics;

/// <summary>Section <c>Metrics</c>: who may scrape <c>GET /metrics</c> (docs/api.md section 3).</summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>
    /// Networks (CIDR, e.g. <c>10.0.0.0/8</c>, <c>fd00::/8</c>) whose clients may scrape without signing in, beside
    /// loopback. Behind a reverse proxy the client address is the one forwarded headers give (see README).
    /// </summary>
    public List<string> ScrapeNetworks { get; set; } = [];
}

/// <summary>Every entry of <c>Metrics:ScrapeNetworks</c> must be a network; a typo must not silently shut Prometheus out (or in).</summary>
public sealed class MetricsOptionsValidation : IValidateOptions<MetricsOptions>
{
    public ValidateOptionsResult Validate(string? name, MetricsOptions options)
    {
        var errors = options.ScrapeNetworks
            .Select((network, i) => (network, i))
            .Where(n => !IPNetwork.TryParse(n.network?.Trim(), out _))
            .Select(n => $"Metrics:ScrapeNetworks:{n.i} ('{n.network}') is not a network in CIDR notation with its host bits zero (10.0.0.0/8, fd00::/8).")
            .ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>
/// <c>/metrics</c> tells order volumes and failure rates: it answers loopback, the configured scrape networks
/// and signed-in admins, and <c>403 FORBIDDEN</c> to everyone else.
/// </summary>
public sealed class MetricsScrapeFilter(IOptions<MetricsOptions> options) : IEndpointFilter
{
    private readonly IPNetwork[] _networks = [.. options.Value.ScrapeNetworks.Select(n => IPNetwork.Parse(n.Trim()))];

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (Allows(http.Connection.RemoteIpAddress, Forwarded(http)) || http.User.IsInRole(Roles.Admin))
        {
            return await next(context);
        }

        return Problems.Of(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, "Metrics are for the configured scrapers and admins.",
            "Scrape from loopback or a network listed in Metrics:ScrapeNetworks, or sign in as an admin.");
    }

    /// <summary>
    /// The forwarded-headers middleware replaced the connection's address with one a proxy reported (it keeps the
    /// original in <c>X-Original-For</c>). A reported loopback is only a claim (a proxy passing the client's own
    /// <c>X-Forwarded-For: 127.0.0.1</c> through), so loopback counts only for the connection itself.
    /// </summary>
    private static bool Forwarded(HttpContext http) =>
        http.Request.Headers.ContainsKey(http.RequestServices.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value.OriginalForHeaderName);

    /// <summary>Loopback (not forwarded) or a scrape network. No address (an in-process or Unix-socket caller) is not trusted.</summary>
    public bool Allows(IPAddress? address, bool forwarded = false)
    {
        if (address is null)
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return (IPAddress.IsLoopback(address) && !forwarded) || _networks.Any(n => n.Contains(address));
    }
}
