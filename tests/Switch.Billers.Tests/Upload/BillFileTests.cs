using System.Text;
using System.Text.RegularExpressions;
using Switch.Billers.Upload;
using Switch.Monetary;

namespace Switch.Billers.Tests.Upload;

public class BillFileTests
{
    private static readonly Regex Pattern = new("^[0-9]{10}$");
    private static readonly Currency Sar = Currency.FromAlpha("SAR")!;

    [Fact]
    public void A_valid_csv_gives_every_line_in_minor_units_with_quotes_crlf_and_columns_in_any_order()
    {
        var csv = "due_date,bill_number,account_number,customer_name,amount_due,expiry_date\r\n"
            + "2026-12-31,B-1,0000000001,\"Ali, Mohammad\",125.50,2027-01-31\r\n"
            + "2026-12-31,B-2,0000000002,\"فاطمة \"\"حسن\"\"\",7,\r\n";

        var result = BillFile.ParseCsv(csv, Pattern, Sar);

        Assert.True(result.Valid, string.Join("\n", result.Errors));
        Assert.Equal(("Ali, Mohammad", 12_550L, new DateOnly(2027, 1, 31)), (result.Lines[0].CustomerName, result.Lines[0].AmountDue, result.Lines[0].ExpiryDate));
        Assert.Equal(("فاطمة \"حسن\"", 700L, (DateOnly?)null, 3), (result.Lines[1].CustomerName, result.Lines[1].AmountDue, result.Lines[1].ExpiryDate, result.Lines[1].Line));
    }

    [Fact]
    public void Every_bad_line_is_reported_with_its_number_and_no_line_is_kept()
    {
        var csv = "bill_number,account_number,customer_name,amount_due,due_date,action\n"
            + "B-1,0000000001,Ali,10.00,2026-12-31,\n"
            + "B-2,12345,Ali,10.00,2026-12-31,\n"
            + "B-3,0000000003,Ali,10.001,2026-12-31,\n"
            + "B-1,0000000004,Ali,10.00,2026-12-31,\n"
            + "B-5,0000000005,Ali,10.00,2026-02-30,\n"
            + "B-6,0000000006,Ali,10.00\n"
            + "B-7,,,,,cancel\n"
            + "B-8,0000000008,Ali,10.00,2026-12-31,replace\n";

        var result = BillFile.ParseCsv(csv, Pattern, Sar);

        Assert.False(result.Valid);
        Assert.Empty(result.Lines);
        Assert.Equal(6, result.ErrorCount);
        Assert.StartsWith("line 3: account_number", result.Errors[0]);
        Assert.StartsWith("line 4: amount_due", result.Errors[1]);
        Assert.StartsWith("line 5: this bill_number is given on an earlier line", result.Errors[2]);
        Assert.StartsWith("line 6: due_date", result.Errors[3]);
        Assert.StartsWith("line 7: 4 fields where the header has 6", result.Errors[4]);
        Assert.StartsWith("line 9: action", result.Errors[5]);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("bill_number,account_number,customer_name,amount_due\n", "no due_date column")]
    [InlineData("bill_number,account_number,customer_name,amount_due,due_date,colour\n", "unknown column colour")]
    [InlineData("bill_number,account_number,customer_name,amount_due,due_date\nB-1,0000000001,\"Ali,10.00,2026-12-31\n", "not closed")]
    public void A_file_without_its_header_or_with_broken_quoting_is_refused(string csv, string problem) =>
        Assert.Contains(problem, Assert.Single(BillFile.ParseCsv(csv, Pattern, Sar).Errors));

    [Fact]
    public void Only_the_first_hundred_problems_are_listed_but_all_are_counted()
    {
        var csv = new StringBuilder("bill_number,account_number,customer_name,amount_due,due_date\n");
        for (var i = 0; i < 250; i++)
        {
            csv.Append(CultureInvariant($"B-{i},bad,Ali,10.00,2026-12-31\n"));
        }

        var result = BillFile.ParseCsv(csv.ToString(), Pattern, Sar);

        Assert.Equal((100, 250), (result.Errors.Count, result.ErrorCount));
    }

    [Fact]
    public void Json_files_take_the_same_fields_and_checks()
    {
        var json = """{"bills":[{"billNumber":"B-1","accountNumber":"0000000001","customerName":"Ali","amountDue":"12.50","dueDate":"2026-12-31"},{"billNumber":"B-2","action":"cancel"}]}""";

        var result = BillFile.ParseJson(Encoding.UTF8.GetBytes(json), Pattern, Sar);
        var bad = BillFile.ParseJson(Encoding.UTF8.GetBytes("""{"bills":[{"billNumber":"B-1","amountDue":12.5}]}"""), Pattern, Sar);
        var badAmount = BillFile.ParseJson(Encoding.UTF8.GetBytes("""{"bills":[{"billNumber":"B-1","accountNumber":"0000000001","customerName":"Ali","amountDue":"-1","dueDate":"2026-12-31"}]}"""), Pattern, Sar);

        Assert.Equal((2, BillAction.Open, 1250L, BillAction.Cancel), (result.Lines.Count, result.Lines[0].Action, result.Lines[0].AmountDue, result.Lines[1].Action));
        Assert.Contains("not valid JSON", Assert.Single(bad.Errors));
        Assert.StartsWith("line 1: amount_due", Assert.Single(badAmount.Errors));
    }

    private static string CultureInvariant(FormattableString text) => FormattableString.Invariant(text);
}
