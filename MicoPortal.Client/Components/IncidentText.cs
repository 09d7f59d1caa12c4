using MicoPortal.Shared.Incidents;
using MudBlazor;

namespace MicoPortal.Client.Components;

/// <summary>How incidents read on screen: metric names in words, the slice, the colour of a severity.</summary>
public static class IncidentText
{
    public static string Metric(string metric) => IncidentWording.Metric(metric);

    public static string Slice(IncidentSlice slice) => IncidentWording.Slice(slice);

    public static Color Color(IncidentSeverity severity) => severity == IncidentSeverity.Critical ? MudBlazor.Color.Error : MudBlazor.Color.Warning;

    public static Severity Alert(IncidentSeverity severity) => severity == IncidentSeverity.Critical ? MudBlazor.Severity.Error : MudBlazor.Severity.Warning;
}
