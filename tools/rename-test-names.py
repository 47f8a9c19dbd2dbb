#!/usr/bin/env python3
"""Renames test names to the Given_x_When_y_Then_z style that tests/Directory.Build.props names: PascalCase
GivenX_WhenY_ThenZ by rule, sentence-style names by the table below. Idempotent: re-run it after merging other branches.
Leaves alone the files other helpers own (Overview, charts, IntegrationTests/Projections, Benchmarks):
drop them from `skip` once those branches are merged."""
import pathlib, re, sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else '.')
skip = ('AuditPortal.Benchmarks/', '/obj/', '/bin/')
word = re.compile(r'[A-Z]{2,}(?=[A-Z][a-z]|\d|_|$)|[A-Z]?[a-z]+|[A-Z]|\d+')
name = re.compile(r'(public (?:async )?(?:Task|void) )(Given[A-Z]\w*?)(\()')

# Sentence-style names, written out by hand as Given_When_Then (the same test, the same claim).
SENTENCES = {
    'Verifying_a_large_sealed_event_table_reports_its_duration': 'Given_a_large_sealed_event_table_When_it_is_verified_Then_the_duration_is_reported',
    'Blog_example_grant_one_then_spend_one_for_a_job_launch_leaves_zero_credits': 'Given_the_blog_example_When_one_credit_is_granted_and_spent_on_a_job_launch_Then_zero_credits_remain',
    'Each_event_type_gets_a_plain_words_summary': 'Given_each_event_type_When_the_feed_lists_it_Then_it_has_a_plain_words_summary',
    'One_event_in_full_has_pretty_payload_and_metadata': 'Given_one_event_When_read_in_full_Then_it_has_a_pretty_payload_and_metadata',
    'Csv_export_of_a_filter_holds_only_matching_rows_neutralised_and_quoted': 'Given_a_filter_When_exported_as_csv_Then_only_matching_rows_are_written_neutralised_and_quoted',
    'Json_export_is_an_array_of_the_filtered_rows': 'Given_a_filter_When_exported_as_json_Then_the_export_is_an_array_of_the_filtered_rows',
    'Only_a_user_with_ExportAudit_may_export': 'Given_an_auditor_and_a_support_user_When_asking_who_may_export_Then_only_the_holder_of_ExportAudit_may',
    'Unknown_streams_and_versions_beyond_the_stream_have_no_state': 'Given_an_unknown_stream_or_a_version_beyond_the_stream_When_its_state_is_asked_Then_there_is_none',
    'Each_filter_pages_through_an_index_never_a_scan_of_the_event_table': 'Given_a_large_event_table_When_each_filter_pages_Then_it_uses_an_index_never_a_scan',
    'Every_event_type_reads_as_one_plain_line': 'Given_every_event_type_When_summarised_Then_it_reads_as_one_plain_line',
    'Formula_starts_are_neutralised_with_an_apostrophe': 'Given_a_cell_starting_a_formula_When_written_to_csv_Then_it_is_neutralised_with_an_apostrophe',
    'Formula_starts_behind_any_unicode_space_and_full_width_signs_are_neutralised': 'Given_a_formula_start_behind_unicode_space_or_a_full_width_sign_When_written_to_csv_Then_it_is_neutralised',
    'Cells_are_quoted_as_rfc_4180_says': 'Given_cells_with_quotes_commas_or_line_breaks_When_written_to_csv_Then_they_are_quoted_as_rfc_4180_says',
    'An_auditor_filters_the_explorer_by_one_actor_and_downloads_exactly_those_rows_as_csv': 'Given_an_auditor_When_filtering_the_explorer_by_one_actor_and_downloading_csv_Then_exactly_those_rows_arrive',
    'The_json_export_follows_the_filter_and_a_malformed_filter_is_refused_with_a_reason': 'Given_a_filter_When_exporting_json_Then_the_export_follows_it_and_a_malformed_filter_is_refused_with_a_reason',
    'Hostile_strings_are_shown_as_text_on_every_page_bad_amounts_and_ids_get_clear_messages_and_no_script_runs': 'Given_hostile_strings_When_every_page_shows_them_Then_they_are_text_bad_amounts_and_ids_get_clear_messages_and_no_script_runs',
    'A_request_path_with_CR_LF_is_written_to_the_portal_log_on_the_line_of_its_own_request': 'Given_a_request_path_with_CR_LF_When_it_is_logged_Then_it_stays_on_the_line_of_its_own_request',
    'Each_persona_signs_in_and_sees_only_its_navigation': 'Given_each_persona_When_signed_in_Then_it_sees_only_its_navigation',
    'An_anonymous_visitor_is_sent_to_sign_in_and_comes_back_after_signing_in': 'Given_an_anonymous_visitor_When_opening_a_page_Then_they_are_sent_to_sign_in_and_come_back_after_it',
    'Signing_out_ends_the_session': 'Given_a_signed_in_user_When_signing_out_Then_the_session_ends',
    'An_admin_revoked_while_signed_in_loses_the_ACL_link_at_the_next_navigation_and_the_next_ACL_change_is_refused': 'Given_an_admin_revoked_while_signed_in_When_navigating_Then_the_ACL_link_is_gone_and_the_next_ACL_change_is_refused',
    'Home_page_opens_in_chromium_and_becomes_interactive': 'Given_the_portal_When_the_home_page_opens_in_chromium_Then_it_becomes_interactive',
    'An_admin_grants_a_permission_through_the_dialog_and_sees_it_in_the_list_and_its_timeline': 'Given_an_admin_When_granting_a_permission_through_the_dialog_Then_it_shows_in_the_list_and_its_timeline',
    'Support_grants_5_and_spends_3_through_the_forms_and_sees_balance_and_history_update_live': 'Given_support_When_granting_5_and_spending_3_through_the_forms_Then_balance_and_history_update_live',
    'A_wallet_opened_elsewhere_appears_in_the_open_list_without_reload': 'Given_an_open_wallet_list_When_a_wallet_is_opened_elsewhere_Then_it_appears_without_reload',
    'Every_page_declares_its_authorization': 'Given_every_routable_page_When_inspected_Then_it_declares_its_authorization',
    'Signing_in_redirects_to_the_local_return_url_and_never_to_another_site': 'Given_a_return_url_When_signing_in_Then_the_redirect_is_local_and_never_to_another_site',
    'A_wrong_password_shows_an_error_and_repeated_failures_lock_the_account': 'Given_a_wrong_password_When_signing_in_repeatedly_Then_an_error_shows_and_the_account_locks',
    'Sign_in_and_sign_out_posts_without_an_antiforgery_token_are_refused': 'Given_no_antiforgery_token_When_posting_sign_in_or_sign_out_Then_the_post_is_refused',
    'Responses_carry_the_security_headers_and_a_secure_auth_cookie_setup': 'Given_any_response_When_inspected_Then_it_carries_the_security_headers_and_a_secure_auth_cookie_setup',
    'The_sign_in_page_lists_the_demo_accounts_in_Development': 'Given_Development_When_the_sign_in_page_opens_Then_it_lists_the_demo_accounts',
    'Return_urls_stay_on_this_site': 'Given_a_return_url_When_made_safe_Then_it_stays_on_this_site',
    'The_page_shows_the_form_and_lists_every_demo_account_in_Development': 'Given_Development_When_the_sign_in_page_renders_Then_it_shows_the_form_and_every_demo_account',
    'A_correct_password_signs_in_with_the_user_name_and_goes_to_the_return_url': 'Given_a_correct_password_When_signing_in_Then_the_user_name_signs_in_and_goes_to_the_return_url',
    'A_wrong_password_shows_an_error_signs_nobody_in_and_clears_the_password': 'Given_a_wrong_password_When_signing_in_Then_an_error_shows_nobody_signs_in_and_the_password_clears',
    'Repeated_failures_lock_the_account_even_for_the_right_password': 'Given_repeated_failures_When_the_right_password_follows_Then_the_account_is_locked',
    'Empty_fields_are_reported_without_a_sign_in_attempt': 'Given_empty_fields_When_submitting_Then_they_are_reported_without_a_sign_in_attempt',
    'Outside_Development_there_are_no_demo_accounts_and_single_sign_on_is_offered_when_configured': 'Given_production_with_single_sign_on_configured_When_the_sign_in_page_opens_Then_no_demo_accounts_and_single_sign_on_is_offered',
    'The_page_lists_the_entries_and_the_history_with_hostile_text_escaped': 'Given_a_list_with_hostile_text_When_its_page_opens_Then_entries_and_history_show_with_the_text_escaped',
    'Malformed_or_unknown_ids_get_a_clear_not_found_message': 'Given_a_malformed_or_unknown_id_When_the_list_page_opens_Then_a_clear_not_found_message_shows',
    'A_hostile_id_in_the_address_is_shown_as_text': 'Given_a_hostile_id_in_the_address_When_the_list_page_opens_Then_it_is_shown_as_text',
    'Granting_through_the_dialog_issues_the_command_with_the_views_version_and_the_current_user': 'Given_the_grant_dialog_When_submitted_Then_the_command_carries_the_views_version_and_the_current_user',
    'Missing_principal_or_reason_is_refused_in_the_dialog_without_a_command': 'Given_a_missing_principal_or_reason_When_submitting_the_dialog_Then_it_is_refused_without_a_command',
    'A_rejected_field_shows_at_the_field_and_keeps_what_was_typed': 'Given_a_rejected_field_When_the_command_answers_Then_the_error_shows_at_the_field_and_the_input_stays',
    'Revoking_the_last_admin_shows_the_rule_clearly': 'Given_the_last_admin_When_revoking_them_Then_the_rule_shows_clearly',
    'A_conflict_says_the_list_changed_and_keeps_the_dialog_open': 'Given_a_conflict_When_the_command_answers_Then_the_dialog_says_the_list_changed_and_stays_open',
    'Hostile_principals_show_literally_in_the_dialog_and_the_snackbar': 'Given_a_hostile_principal_When_revoked_through_the_dialog_Then_it_shows_literally_in_the_dialog_and_the_snackbar',
    'Every_list_shows_its_resource_principals_and_last_change_with_a_link': 'Given_lists_When_the_lists_page_opens_Then_each_shows_its_resource_principals_and_last_change_with_a_link',
    'No_lists_says_so': 'Given_no_lists_When_the_lists_page_opens_Then_it_says_so',
    'Layout_renders_app_bar_navigation_and_body': 'Given_the_layout_When_rendered_Then_app_bar_navigation_and_body_show',
    'Dark_mode_toggle_switches_the_theme': 'Given_the_layout_When_the_dark_mode_toggle_is_clicked_Then_the_theme_switches',
    'The_permalink_shows_the_event_its_metadata_and_the_state_as_of_it': 'Given_an_event_permalink_When_opened_Then_the_event_its_metadata_and_the_state_as_of_it_show',
    'Malformed_or_unknown_numbers_get_a_clear_not_found_message': 'Given_a_malformed_or_unknown_number_When_the_event_page_opens_Then_a_clear_not_found_message_shows',
    'The_timeline_lists_one_streams_events_with_who_what_and_a_permalink': 'Given_a_stream_When_its_timeline_renders_Then_each_event_shows_who_what_and_a_permalink',
    'State_as_of_here_shows_the_folded_state_and_the_before_after_diff': 'Given_a_timeline_event_When_state_as_of_here_is_asked_Then_the_folded_state_and_the_before_after_diff_show',
    'Details_expand_the_payload_as_formatted_text': 'Given_a_timeline_event_When_details_expand_Then_the_payload_shows_as_formatted_text',
    'Older_events_load_on_request': 'Given_a_long_stream_When_older_events_are_requested_Then_they_load',
    'A_stream_without_events_says_so': 'Given_a_stream_without_events_When_its_timeline_renders_Then_it_says_so',
    'Hostile_text_in_a_summary_and_a_payload_is_shown_literally': 'Given_hostile_text_in_a_summary_and_a_payload_When_the_explorer_shows_them_Then_they_are_literal',
    'Load_more_asks_for_the_rows_before_the_last_one_shown': 'Given_a_page_of_rows_When_loading_more_Then_the_rows_before_the_last_one_shown_are_asked_for',
    'Apply_puts_the_filters_into_the_address': 'Given_filters_When_applied_Then_they_are_put_into_the_address',
    'A_malformed_stream_id_gets_a_clear_error_and_no_query': 'Given_a_malformed_stream_id_When_applied_Then_a_clear_error_shows_and_no_query_runs',
    'A_bad_time_typed_into_the_filter_is_refused_and_kept': 'Given_a_bad_time_typed_into_the_filter_When_applied_Then_it_is_refused_and_kept',
}
sentence = re.compile(r'\b(' + '|'.join(map(re.escape, SENTENCES)) + r')\b')

def convert(n: str) -> str:
    parts = []
    for part in n.split('_'):
        words = word.findall(part)
        head, rest = words[0], words[1:]  # Given / When / Then
        parts.append('_'.join([head] + [w if w.isupper() and len(w) > 1 else w.lower() for w in rest]))
    return '_'.join(parts)

for f in root.glob('tests/**/*.cs'):
    p = f.as_posix()
    if any(s in p for s in skip): continue
    text = f.read_text()
    new = name.sub(lambda m: m.group(1) + convert(m.group(2)) + m.group(3), text)
    new = sentence.sub(lambda m: SENTENCES[m.group(1)], new)
    if new != text:
        f.write_text(new)
        print(f'renamed test names in {p}')
