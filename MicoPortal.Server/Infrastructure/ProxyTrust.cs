using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Infrastructure;

/// <summary>
/// Section <c>ForwardedHeaders</c>: the reverse proxies whose <c>X-Forwarded-For</c>/<c>X-Forwarded-Proto</c> the
/// portal believes. Loopback is always trusted; nothing else unless listed here.
/// </summary>
public sealed class ProxyTrustOptions
{
    public const string Section = "ForwardedHeaders";

    /// <summary>Addresses of trusted proxies (<c>10.0.0.5</c>, <c>fd00::5</c>). Blank entries are ignored.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR form (<c>10.0.0.0/24</c>). Blank entries are ignored.</summary>
    public string[] KnownNetworks { get; set; } = [];
}

/// <summary>
/// Client addresses behind a proxy. Rate limits are per client address, so a forwarded address counts only
/// when it comes from a configured proxy: from anyone else <c>X-Forwarded-For</c> is ignored, or every request
/// could name a new address and get a fresh bucket. ASP.NET Core's own switch
/// (<c>ASPNETCORE_FORWARDEDHEADERS_ENABLED</c>) trusts every sender, so the portal refuses to start with it.
/// </summary>
public static class ProxyTrust
{
    public static IServiceCollection AddPortalProxyTrust(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ProxyTrustOptions>().Bind(configuration.GetSection(ProxyTrustOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProxyTrustOptions>>(new Validation(configuration));
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyTrustOptions>>((forwarded, trust) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // Walk back through every trusted proxy and stop at the first address that is not one. The defaults
            // (127.0.0.0/8 and ::1) stay: a proxy on the same host is trusted.
            forwarded.ForwardLimit = null;
            foreach (var proxy in NonBlank(trust.Value.KnownProxies))
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (var network in NonBlank(trust.Value.KnownNetworks))
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
        return services;
    }

    private static IEnumerable<string> NonBlank(IEnumerable<string?> values) =>
        values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim());

    private sealed class Validation(IConfiguration configuration) : IValidateOptions<ProxyTrustOptions>
    {
        public ValidateOptionsResult Validate(string? name, ProxyTrustOptions options)
        {
            var errors = new List<string>();
            if (string.Equals(configuration["FORWARDEDHEADERS_ENABLED"], "true", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add("ASPNETCORE_FORWARDEDHEADERS_ENABLED trusts X-Forwarded-For from any sender; remove it and list the proxies " +
                    "in ForwardedHeaders:KnownProxies or ForwardedHeaders:KnownNetworks instead.");
            }

            errors.AddRange(NonBlank(options.KnownProxies).Where(p => !IPAddress.TryParse(p, out _))
                .Select(p => $"ForwardedHeaders:KnownProxies: '{p}' is not an IP address."));
            errors.AddRange(NonBlank(options.KnownNetworks).Where(n => !System.Net.IPNetwork.TryParse(n, out _))
                .Select(n => $"ForwardedHeaders:KnownNetworks: '{n}' is not a network in CIDR form (10.0.0.0/24)."));
            return errors.Count > 0 ? ValidateOptionsResult.Fail(errors) : ValidateOptionsResult.Success;
        }
    }
}
