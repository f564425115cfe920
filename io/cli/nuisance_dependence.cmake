# genint-data nuisance-dependence (the nuisance read-out's dependence measure, issue 7); included from
# io/CMakeLists.txt after the dataset fragment, which defines genint-data.
target_sources(genint-data PRIVATE ${CMAKE_CURRENT_LIST_DIR}/nuisance_dependence_command.cpp)
