namespace Switch.Billers.Registry;

/// <summary>A category of billers as channels show it.</summary>
public sealed record BillerCategory(string Code, string NameEn, string NameAr);

/// <summary>The categories a biller can be in, in the order channels list them.</summary>
public static class BillerCategories
{
    public static readonly IReadOnlyList<BillerCategory> All =
    [
        new("electricity", "Electricity", "الكهرباء"),
        new("water", "Water", "المياه"),
        new("gas", "Gas", "الغاز"),
        new("telecom", "Telecom", "الاتصالات"),
        new("internet", "Internet", "الإنترنت"),
        new("government_fees", "Government fees", "الرسوم الحكومية"),
        new("traffic_fines", "Traffic fines", "المخالفات المرورية"),
        new("taxes", "Taxes", "الضرائب"),
        new("education", "Education", "التعليم"),
        new("health", "Health", "الصحة"),
        new("insurance", "Insurance", "التأمين"),
        new("housing", "Housing", "الإسكان"),
        new("charity", "Charity", "الجمعيات الخيرية"),
        new("other", "Other", "أخرى"),
    ];

    public static BillerCategory? Find(string? code) => All.FirstOrDefault(c => c.Code == code);
}
